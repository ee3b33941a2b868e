import type { Rng } from '@mlsd/core';

/**
 * The Luhn check digit (ISO/IEC 7812-1) of a string of digits: doubling every second digit
 * from the right of the payload, summing digits, and completing to a multiple of 10.
 */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let digit = payload.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * `count` distinct card numbers with valid Luhn digits: 16 digits, or 19 for a share
 * `longShare` of them (numbers past 2^53, which a reader must keep as text). Issuer prefixes
 * 4, 5 and 6 are drawn so the numbers look like the ones in real logs.
 */
export function generateCardNumbers(rng: Rng, count: number, longShare: number): string[] {
  const seen = new Set<string>();
  const numbers: string[] = [];
  while (numbers.length < count) {
    const length = rng.next() < longShare ? 19 : 16;
    let payload = String(4 + rng.integer(0, 3));
    while (payload.length < length - 1) payload += String(rng.integer(0, 10));
    const number = payload + String(luhnCheckDigit(payload));
    if (seen.has(number)) continue;
    seen.add(number);
    numbers.push(number);
  }
  return numbers;
}
