const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO-8601-like date-time ("2018-04-01 07:19:05", "2018-04-01T07:19:05.5Z",
 * "2018-04-01", "2018-04-01 07:19:05+02:00") into seconds since the Unix epoch. Without an
 * offset the time is read as UTC, so "local time" data keeps its wall-clock hours when
 * written back. Returns NaN for text that is not such a date or names an impossible one.
 */
export function parseDateTimeSeconds(text: string): number {
  const match = ISO.exec(text.trim());
  if (match === null) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (month > 11 || day < 1 || hours > 23 || minutes > 59 || seconds > 60) return Number.NaN;
  const ms = Date.UTC(year, month, day, hours, minutes, seconds);
  // Date.UTC rolls 2018-02-30 over to March; such dates are not valid.
  if (new Date(ms).getUTCDate() !== day) return Number.NaN;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return ms / 1000 + (fraction === undefined ? 0 : Number(fraction)) - offsetMinutes * 60;
}
