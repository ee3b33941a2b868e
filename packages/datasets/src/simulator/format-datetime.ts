/**
 * Formats seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS` (the wall-clock time the
 * number encodes, read as UTC, the way @mlsd/ingest stores date-times), with a fraction
 * `.fff…` only when the value has one. The date part is cached per day, so formatting a
 * time-sorted column costs a few string concatenations per value.
 */
export class DateTimeFormatter {
  #day = Number.NaN;
  #prefix = '';

  /** The text of `epochSeconds`; NaN gives ''. */
  format(epochSeconds: number): string {
    if (Number.isNaN(epochSeconds)) return '';
    const day = Math.floor(epochSeconds / 86_400);
    if (day !== this.#day) {
      this.#day = day;
      this.#prefix = `${new Date(day * 86_400_000).toISOString().slice(0, 10)} `;
    }
    const inDay = epochSeconds - day * 86_400;
    const whole = Math.floor(inDay);
    const hours = Math.floor(whole / 3600);
    const minutes = Math.floor((whole % 3600) / 60);
    const seconds = whole % 60;
    let text = `${this.#prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}`;
    if (inDay !== whole) {
      // Milliseconds are what Date keeps; more digits would be noise from the float.
      const fraction = Math.round((inDay - whole) * 1000);
      if (fraction > 0 && fraction < 1000) text += `.${String(fraction).padStart(3, '0')}`;
    }
    return text;
  }
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) =>
  String(i).padStart(2, '0'),
);
