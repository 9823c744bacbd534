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

/** A price in as many decimals as it needs to be read: six below 1, else two. */
export function priceText(value: string): string {
  return money(value, decimal(value).lt(1) ? 6 : 2);
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
