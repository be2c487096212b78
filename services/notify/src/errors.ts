// Errors of the notify service.
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}
