/** The shared, frozen `extra` of value objects that carry no provider-only data (saves an allocation per snapshot). */
export const emptyExtra: Readonly<Record<string, unknown>> = Object.freeze({});
