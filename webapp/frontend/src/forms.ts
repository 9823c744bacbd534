// What the forms share: a field left empty keeps the operator's value, and a count is typed as whole digits.

/** The field as typed, or null when it was left empty. */
export function orNull(text: string): string | null {
  return text.trim() === "" ? null : text.trim();
}

/** A count (never money), or null when left empty; anything but whole digits is refused, naming the field. */
export function count(label: string, text: string): number | null {
  const typed = orNull(text);
  if (typed === null) return null;
  if (!/^\d+$/.test(typed)) throw new Error(`${label}: a whole number, please.`);
  // eslint-disable-next-line no-restricted-syntax -- a count, not money: whole digits, checked above
  return Number.parseInt(typed, 10);
}
