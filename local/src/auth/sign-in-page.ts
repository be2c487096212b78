// The local user pool's sign-in form: username and password, the authorization request carried along in hidden
// fields (Cognito's managed login keeps it in its own session instead).

const CARRIED = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'nonce',
  'code_challenge',
  'code_challenge_method',
];

export function signInPage(page: { params?: URLSearchParams; error?: string; fatal?: string }): string {
  const body = page.fatal
    ? `<p role="alert" data-testid="sign-in-error">This sign-in request cannot be served: ${escapeHtml(page.fatal)}</p>`
    : `<form method="post" action="/oauth2/authorize">
  ${CARRIED.map((name) => page.params?.get(name))
    .map((value, i) =>
      value === null || value === undefined
        ? ''
        : `<input type="hidden" name="${CARRIED[i]}" value="${escapeHtml(value)}">`,
    )
    .join('\n  ')}
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  ${page.error ? `<p role="alert" data-testid="sign-in-error">${escapeHtml(page.error)}</p>` : ''}
  <button type="submit">Sign in</button>
</form>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, sans-serif; max-width: 22rem; margin: 3rem auto; padding: 0 1rem; }
  form { display: grid; gap: 0.5rem; }
  input, button { font: inherit; padding: 0.5rem; }
  [role="alert"] { color: #b00020; }
  .note { color: #555; font-size: 0.9rem; }
</style>
</head>
<body>
<h1>Sign in</h1>
<p class="note">Local user pool (stands in for Amazon Cognito's managed login).</p>
${body}
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
