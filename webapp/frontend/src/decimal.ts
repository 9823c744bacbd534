// Money, prices, quantities and shares arrive as decimal strings and stay decimal: what the page works out from
// them (rounding, percentages, comparisons) is exact (big.js), never through binary floating point.
import Big from "big.js";

function decimal(value: string): Big {
  try {
    return new Big(value);
  } catch {
    throw new Error(`Not a number: ${value}`);
  }
}

function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "12345.678" -> "12,345.68"; rounded half away from zero to `digits` decimals. */
export function money(value: string | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return "—";
  const fixed = decimal(value).toFixed(digits);
  const sign = fixed.startsWith("-") ? "-" : "";
  const [whole, fraction] = fixed.slice(sign.length).split(".");
  return `${sign}${grouped(whole)}${fraction ? `.${fraction}` : ""}`;
}

// A price shows its own digits up to this many significant ones (as the chat does): a tick never needs more.
const PRICE_DIGITS = 7;

/** A price to its own digits, at least to the cent: "3400" -> "3,400.00", "0.1123", "0.00001234". */
export function priceText(value: string): string {
  const price = decimal(value);
  if (price.eq(0)) return money(value);
  const magnitude = price.abs().e; // the position of the first significant digit, as Python's adjusted()
  const places = Math.max(2, PRICE_DIGITS - 1 - magnitude);
  const rounded = price.round(places);
  const own = Math.max(0, rounded.c.length - 1 - rounded.e); // decimals of its own, trailing zeros dropped
  return money(rounded.toFixed(), Math.max(2, own));
}

/** A price to its market's precision, `tick` the market's price increment ("0.01": to the cent), at least to
 * the cent; without a tick, to its own digits (priceText). */
export function priceAt(value: string, tick?: string | null): string {
  if (!tick) return priceText(value);
  const step = decimal(tick);
  const places = Math.max(0, step.c.length - 1 - step.e); // "0.01" -> 2, "0.5" -> 1, "10" -> 0
  return money(value, Math.max(2, places));
}

/** "0.10000000" -> "0.1": every digit that counts, none that does not. */
export function plain(value: string): string {
  return decimal(value).toFixed();
}

/** A share as a percentage: "0.2" -> "20", to at most `digits` decimals. */
export function percent(share: string, digits = 4): string {
  return decimal(share).times(100).round(digits).toFixed();
}

/** A percentage as a share: "20" -> "0.2". */
export function share(percentage: string): string {
  return decimal(percentage).div(100).toFixed();
}

/** `part` as a percentage of `whole`, to one decimal: "250", "1000" -> "25.0". */
export function percentOf(part: string, whole: string): string {
  return decimal(part).div(whole).times(100).toFixed(1);
}

export function isNegative(value: string): boolean {
  return decimal(value).lt(0);
}

export function isPositive(value: string): boolean {
  return decimal(value).gt(0);
}
