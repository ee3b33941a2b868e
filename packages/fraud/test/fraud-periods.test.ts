import { describe, expect, it } from 'vitest';
import { ProtocolSchema } from '../src/config/fraud-config-schema.js';
import {
  dayNumbers,
  protocolDates,
  resolveProtocol,
  timeSpan,
} from '../src/protocol/fraud-periods.js';

const utc = (text: string) => Date.parse(`${text}Z`) / 1000;
const protocol = (input: object) => ProtocolSchema.parse(input);

describe('resolveProtocol', () => {
  // 60 local days in New York, 2018-06-01 to 2018-07-30.
  const span = { first: utc('2018-06-01T04:30:00'), last: utc('2018-07-31T03:00:00') };
  const options = { timezone: 'America/New_York', cardEntity: 'card' };

  it('puts the test period on the last days, the delay before it, training before that', () => {
    const resolved = resolveProtocol(protocol({}), span, { ...options, labelDelayDays: 7 });
    expect(resolved).toMatchObject({
      origin: '2018-06-01',
      trainStart: '2018-07-10',
      trainDays: 7,
      delayDays: 7,
      testDays: 7,
      timezone: 'America/New_York',
    });
    expect(protocolDates(resolved)).toEqual({
      validationTrain: ['2018-06-26', '2018-07-02'],
      validationTest: ['2018-07-10', '2018-07-16'],
      train: ['2018-07-10', '2018-07-16'],
      delay: ['2018-07-17', '2018-07-23'],
      test: ['2018-07-24', '2018-07-30'],
    });
  });

  it('takes the delay from the label delay, rounded up, and an explicit start date', () => {
    const resolved = resolveProtocol(protocol({ trainStart: '2018-06-20', testDays: 3 }), span, {
      ...options,
      labelDelayDays: 2.5,
    });
    expect(resolved).toMatchObject({ trainStart: '2018-06-20', delayDays: 3, testDays: 3 });
  });

  it('says how many days the data has and the layout needs when they do not fit', () => {
    const short = { first: utc('2018-06-01T12:00:00'), last: utc('2018-06-20T12:00:00') };
    expect(() => resolveProtocol(protocol({}), short, options)).toThrow(
      /The data spans 20 local days \(2018-06-01 to 2018-06-20, America\/New_York\); the protocol needs .* 35 days.*Give a longer log, or shorten protocol.trainDays/,
    );
    expect(() => resolveProtocol(protocol({ trainStart: '2018-07-25' }), span, options)).toThrow(
      /Move protocol.trainStart \(now 2018-07-25\)/,
    );
  });
});

describe('dayNumbers', () => {
  it('counts local days from the origin date', () => {
    const resolved = resolveProtocol(
      protocol({ trainDays: 1, testDays: 1, delayDays: 0 }),
      {
        first: utc('2018-06-01T04:30:00'),
        last: utc('2018-06-05T12:00:00'),
      },
      { timezone: 'America/New_York', cardEntity: 'card' },
    );
    // 03:59 UTC on June 2nd is still June 1st in New York.
    const times = [
      utc('2018-06-01T04:30:00'),
      utc('2018-06-02T03:59:00'),
      utc('2018-06-02T04:00:00'),
    ];
    expect(Array.from(dayNumbers(times, resolved))).toEqual([0, 0, 1]);
    expect(timeSpan([5, 2, 9])).toEqual({ first: 2, last: 9 });
  });
});
