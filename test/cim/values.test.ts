import { expect } from 'chai';
import {
  CIM_ERR, CimDateTime, CimError, CimInstanceName, coerceValue, formatScalarText, parseScalarText, valuesEqual,
} from '../../src/cim/index.js';

const ctx = { what: 'parameter "X"' };

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CimError) return e.code;
    throw e;
  }
  return undefined;
}

describe('cim values', () => {
  it('reads a number hundreds of thousands of digits long in linear time: refused, or out of range, at once', () => {
    const digits = '9'.repeat(300_000);
    for (let i = 0; i < 5; i++) {
      expect(codeOf(() => parseScalarText(`${digits}x`, 'real64', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(codeOf(() => parseScalarText(digits, 'uint64', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
    }
    expect(parseScalarText(`${'0'.repeat(50)}42`, 'uint8', ctx)).to.equal(42);
    expect(parseScalarText(`1.${'5'.repeat(1000)}e2`, 'real64', ctx)).to.be.closeTo(155.5, 0.1);
  });

  it('parses integers with exact range checks per type', () => {
    expect(parseScalarText('255', 'uint8', ctx)).to.equal(255);
    expect(codeOf(() => parseScalarText('256', 'uint8', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(codeOf(() => parseScalarText('-1', 'uint32', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(parseScalarText('-128', 'sint8', ctx)).to.equal(-128);
    expect(parseScalarText('18446744073709551615', 'uint64', ctx)).to.equal(18446744073709551615n);
    expect(parseScalarText('9007199254740991', 'uint64', ctx)).to.equal(9007199254740991);
    expect(codeOf(() => parseScalarText('18446744073709551616', 'uint64', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(parseScalarText(' 42 ', 'uint16', ctx)).to.equal(42);
    expect(parseScalarText('0x1F', 'uint16', ctx)).to.equal(31);
  });

  it('names the offending value and element in the error description', () => {
    try {
      parseScalarText('nine', 'uint16', { what: 'parameter "RequestedState"' });
      expect.fail('no error');
    } catch (e) {
      expect((e as CimError).description).to.contain('RequestedState').and.contain('nine').and.contain('uint16');
    }
  });

  it('parses booleans case-insensitively and reals with INF/NaN', () => {
    expect(parseScalarText('true', 'boolean', ctx)).to.equal(true);
    expect(parseScalarText('FALSE', 'boolean', ctx)).to.equal(false);
    expect(codeOf(() => parseScalarText('yes', 'boolean', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(parseScalarText('-INF', 'real64', ctx)).to.equal(-Infinity);
    expect(Number.isNaN(parseScalarText('NaN', 'real32', ctx))).to.equal(true);
    expect(parseScalarText('1.5e3', 'real64', ctx)).to.equal(1500);
  });

  it('accepts exactly one character for char16', () => {
    expect(parseScalarText('x', 'char16', ctx)).to.equal('x');
    expect(codeOf(() => parseScalarText('xy', 'char16', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
    // DSP0004 char16 is one UCS-2 (16-bit) character: a character beyond U+FFFF is two.
    expect(codeOf(() => parseScalarText('\u{1F600}', 'char16', ctx))).to.equal(CIM_ERR.INVALID_PARAMETER);
    // A typed number or boolean given for a char16 becomes its text only when that is one character.
    expect(coerceValue(7, 'char16', false, ctx)).to.equal('7');
    expect(codeOf(() => coerceValue(65, 'char16', false, ctx))).to.equal(CIM_ERR.TYPE_MISMATCH);
    expect(codeOf(() => coerceValue(true, 'char16', false, { ...ctx, error: 'INVALID_PARAMETER' }))).to.equal(CIM_ERR.INVALID_PARAMETER);
  });

  it('formats values the way CIM-XML writes them', () => {
    expect(formatScalarText(true)).to.equal('TRUE');
    expect(formatScalarText(Infinity)).to.equal('INF');
    expect(formatScalarText(12345678901234567890n)).to.equal('12345678901234567890');
  });

  it('coerces whole values to declared array-ness and type', () => {
    expect(coerceValue(['1', '2'], 'uint16', true, ctx)).to.deep.equal([1, 2]);
    expect(coerceValue('7', 'uint16', true, ctx)).to.deep.equal([7]);
    expect(coerceValue(['3'], 'uint16', false, ctx)).to.equal(3);
    expect(coerceValue(null, 'string', false, ctx)).to.equal(null);
    expect(codeOf(() => coerceValue(1.5, 'uint32', false, ctx))).to.equal(CIM_ERR.TYPE_MISMATCH);
  });

  it('compares values by value', () => {
    expect(valuesEqual(5, 5n)).to.equal(true);
    expect(valuesEqual('a', 'A')).to.equal(false);
    expect(valuesEqual([1, null], [1, null])).to.equal(true);
    expect(valuesEqual(CimInstanceName.of('A', { k: 'v' }), CimInstanceName.of('a', { K: 'v' }))).to.equal(true);
  });
});

describe('cim datetime', () => {
  it('round-trips timestamps and intervals', () => {
    const d = CimDateTime.fromDate(new Date(Date.UTC(2024, 0, 31, 15, 45, 0, 123)), 60);
    expect(d.toString()).to.equal('20240131164500.123000+060');
    expect(d.toDate()!.toISOString()).to.equal('2024-01-31T15:45:00.123Z');
    const i = CimDateTime.interval(5 * 60 * 1000);
    expect(i.toString()).to.equal('00000000000500.000000:000');
    expect(i.isInterval).to.equal(true);
    expect(i.toMilliseconds()).to.equal(300000);
    expect(CimDateTime.tryParse('2024013115450*.******+000')).to.not.equal(undefined);
    expect(CimDateTime.tryParse('not a date')).to.equal(undefined);
  });

  it('refuses fields out of their DSP0004 ranges, saying which, and leaves asterisk fields alone', () => {
    expect(CimDateTime.tryParse('20241301000000.000000+000')).to.equal(undefined);
    expect(CimDateTime.tryParse('20240100000000.000000+000')).to.equal(undefined);
    expect(CimDateTime.tryParse('20240131240000.000000+000')).to.equal(undefined);
    expect(CimDateTime.tryParse('20240131236000.000000+000')).to.equal(undefined);
    expect(CimDateTime.tryParse('00000000006000.000000:000')).to.equal(undefined);
    expect(CimDateTime.tryParse('00000001235959.999999:000')!.toMilliseconds()).to.equal(86_400_000 + 86_399_999.999);
    expect(CimDateTime.tryParse('20241231235959.999999-720')).to.not.equal(undefined);
    expect(CimDateTime.tryParse('2024****************+000')).to.equal(undefined); // not the shape at all
    expect(CimDateTime.tryParse('2024**********.******+000')).to.not.equal(undefined);
    expect(() => coerceValue('20241301000000.000000+000', 'datetime', false, ctx)).to.throw(/month 13 is out of range \(01-12\)/);
    expect(() => coerceValue('00000000250000.000000:000', 'datetime', false, ctx)).to.throw(/hours 25 is out of range \(00-23\)/);
  });
});
