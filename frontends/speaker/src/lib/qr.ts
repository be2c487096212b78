// The listener link as a QR code: the qrcode library computes the modules, the page draws them as one SVG path
// (crisp at any size, on a phone or a projector, and no markup injected as HTML).
import { create } from 'qrcode';

export interface QrShape {
  /** Modules per side. */
  size: number;
  /** SVG path of the dark modules, one unit per module. */
  path: string;
}

export function qrShape(text: string): QrShape {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let path = '';
  for (let row = 0; row < size; row++) {
    // One rectangle per horizontal run of dark modules keeps the path short.
    for (let col = 0; col < size; col++) {
      if (!modules.get(row, col)) continue;
      let end = col;
      while (end + 1 < size && modules.get(row, end + 1)) end++;
      path += `M${col} ${row}h${end - col + 1}v1h${-(end - col + 1)}z`;
      col = end;
    }
  }
  return { size, path };
}
