// xl.cfg parser (xl.cfg(5)): the lexer of tools/libs/util/libxlu_cfg_l.l and the
// LALR tables bison generated for libxlu_cfg_y.y, so that syntax errors read exactly like
// xl's ("<cfg>:<line>: config parsing error near `3': syntax error, unexpected NUMBER,
// expecting $end").

export interface Setting {
  name: string;
  value: string | string[];  // atom or list of atoms
  line: number;
}

export interface ParsedCfg {
  settings: Setting[];
  errors: string[];          // lines already formatted, in order
}

// Symbols: 0 $end, 1 error, 2 $undefined, 3 IDENT, 4 STRING, 5 NUMBER, 6 NEWLINE, 7 "+=",
// 8 '=', 9 ';', 10 '[', 11 ']', 12 ','
const TNAME = ['$end', 'error', '$undefined', 'IDENT', 'STRING', 'NUMBER', 'NEWLINE', '"+="', "'='", "';'", "'['", "']'", "','"];
const YYFINAL = 3, YYLAST = 27, YYNTOKENS = 13, PACT_NINF = -18;
const PACT = [-18, 5, 1, -18, -3, 14, -18, -18, -18, 3, -18, -18, 10, 10, -18, -18, -18, -18, -18, -18, -18, 13, -18, -18, 15, 12, 19, -18, -18, 13, -18, 19];
const DEFACT = [4, 0, 0, 1, 0, 0, 11, 12, 5, 3, 7, 8, 0, 0, 6, 15, 16, 22, 10, 13, 9, 17, 23, 22, 0, 18, 20, 14, 22, 19, 22, 21];
const PGOTO = [-18, -18, -18, -18, -18, 18, -13, -18, -18, -18, -17];
const DEFGOTO = [-1, 1, 2, 8, 9, 10, 18, 19, 24, 25, 21];
const TABLE = [20, -2, 4, 11, 5, 3, 26, 6, 23, 6, 7, 29, 7, 31, 15, 16, 30, 15, 16, 22, 17, 12, 13, 17, 28, 22, 27, 14];
const CHECK = [13, 0, 1, 6, 3, 0, 23, 6, 21, 6, 9, 28, 9, 30, 4, 5, 29, 4, 5, 6, 10, 7, 8, 10, 12, 6, 11, 9];
const R1 = [0, 13, 14, 14, 15, 15, 16, 16, 16, 17, 17, 18, 18, 19, 19, 20, 20, 21, 21, 21, 22, 22, 23, 23];
const R2 = [0, 2, 1, 2, 0, 2, 2, 1, 2, 3, 3, 1, 1, 1, 4, 1, 1, 0, 1, 3, 2, 5, 0, 2];

interface Tok { sym: number; text: string; value: string; line: number }

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0, line = 1;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '\n') { toks.push({ sym: 6, text: '\n', value: '\n', line }); line++; i++; continue; }
    let m: RegExpExecArray | null;
    const rest = src.slice(i, i + 4096);
    if ((m = /^[a-z][._0-9a-z]*/.exec(rest))) {
      toks.push({ sym: 3, text: m[0], value: m[0], line }); i += m[0].length; continue;
    }
    if ((m = /^(0x[0-9a-fA-F]+|[0-9]+)/.exec(rest))) {
      toks.push({ sym: 5, text: m[0], value: m[0], line }); i += m[0].length; continue;
    }
    if (c === '"') {
      m = /^"[^"\\\n]*(\\.[^"\\\n]*)*"/.exec(src.slice(i));
      if (m) {
        const raw = m[0];
        const value = raw.slice(1, -1).replace(/\\(.)/g, (_s, x: string) => x);
        toks.push({ sym: 4, text: raw, value, line }); i += raw.length; continue;
      }
    }
    if (c === "'") {
      m = /^'[^'\n]*'/.exec(src.slice(i));
      if (m) { toks.push({ sym: 4, text: m[0], value: m[0].slice(1, -1), line }); i += m[0].length; continue; }
    }
    if (src.startsWith('+=', i)) { toks.push({ sym: 7, text: '+=', value: '+=', line }); i += 2; continue; }
    const single: Record<string, number> = { '=': 8, ';': 9, '[': 10, ']': 11, ',': 12 };
    toks.push({ sym: single[c] ?? 2, text: c, value: c, line });
    i++;
  }
  toks.push({ sym: 0, text: '', value: '', line });
  return toks;
}

function stripQuotes(name: string): string {
  return name.startsWith('"') && !/[',\\]/.test(name) ? name.slice(1, -1) : name;
}

function syntaxError(state: number, tok: number): string {
  const args = [stripQuotes(TNAME[tok]!)];
  const yyn = PACT[state]!;
  if (yyn !== PACT_NINF) {
    const begin = yyn < 0 ? -yyn : 0;
    const lim = YYLAST - yyn + 1;
    const end = lim < YYNTOKENS ? lim : YYNTOKENS;
    for (let x = begin; x < end; x++) {
      if (CHECK[x + yyn] === x && x !== 1) {
        if (args.length === 5) { args.length = 1; break; }
        args.push(stripQuotes(TNAME[x]!));
      }
    }
  }
  if (args.length === 1) return `syntax error, unexpected ${args[0]}`;
  return `syntax error, unexpected ${args[0]}, expecting ${args.slice(1).join(' or ')}`;
}

/** Parse config text; `source` is the name used in messages (the file name as given). */
export function parseCfg(src: string, source: string): ParsedCfg {
  const toks = lex(src);
  const settings: Setting[] = [];
  const errors: string[] = [];
  const states: number[] = [0];
  const vals: unknown[] = [null];
  let p = 0;
  let errstatus = 0;
  let state = 0;
  let look: Tok | null = null;
  const report = (t: Tok, msg: string) => {
    errors.push(`${source}:${t.line}: config parsing error near ${t.text === '' ? '' : '`' + t.text + "'"}: ${msg}`);
  };
  // Each token is shifted once and takes a bounded number of reductions: the bound only stops a
  // table fault from looping, it never cuts a long file short.
  const steps = 20 * toks.length + 1000;
  for (let guard = 0; guard < steps; guard++) {
    if (state === YYFINAL) break;
    let yyn = PACT[state]!;
    let doReduce = false;
    let rule = 0;
    if (yyn === PACT_NINF) {
      doReduce = true;
    } else {
      if (!look) look = toks[p++]!;
      const t = look.sym;
      yyn += t;
      if (yyn < 0 || yyn > YYLAST || CHECK[yyn] !== t) {
        doReduce = true;
      } else {
        const act = TABLE[yyn]!;
        if (act <= 0) { rule = -act; if (rule === 0) doReduce = true; else { reduce(rule); continue; } }
        else {
          if (errstatus) errstatus--;
          states.push(act); vals.push(look);
          state = act; look = null;
          continue;
        }
      }
    }
    if (doReduce) {
      rule = DEFACT[state]!;
      if (rule !== 0) { reduce(rule); continue; }
      // Syntax error.
      if (!look) look = toks[p++]!;
      if (errstatus === 0) report(look, syntaxError(state, look.sym));
      if (errstatus === 3) {
        if (look.sym === 0) break; // abort
        look = null; // discard
      }
      errstatus = 3;
      // Pop until a state that can shift `error`.
      let shifted = false;
      while (states.length > 0) {
        const pn = PACT[state]!;
        if (pn !== PACT_NINF) {
          const k = pn + 1;
          if (k >= 0 && k <= YYLAST && CHECK[k] === 1 && TABLE[k]! > 0) {
            const ns = TABLE[k]!;
            states.push(ns); vals.push(null); state = ns; shifted = true; break;
          }
        }
        if (states.length === 1) break;
        states.pop(); vals.pop(); state = states[states.length - 1]!;
      }
      if (!shifted) break;
    }
  }
  return { settings, errors };

  function reduce(r: number): void {
    const len = R2[r]!;
    const rhs = vals.slice(vals.length - len);
    let v: unknown = rhs[0];
    switch (r) {
      case 9: case 10: { // assignment: IDENT '=' value | IDENT "+=" value
        const id = rhs[0] as Tok;
        const value = rhs[2] as string | string[];
        if (r === 10) {
          const prev = [...settings].reverse().find((s) => s.name === id.value);
          const base = prev ? (Array.isArray(prev.value) ? prev.value : [prev.value]) : [];
          settings.push({ name: id.value, value: [...base, ...(Array.isArray(value) ? value : [value])], line: id.line });
        } else {
          settings.push({ name: id.value, value, line: id.line });
        }
        v = null;
        break;
      }
      case 13: v = rhs[0]; break;                         // value: atom
      case 14: v = rhs[2] ?? []; break;                   // value: '[' nlok valuelist ']'
      case 15: case 16: v = (rhs[0] as Tok).value; break;  // atom
      case 17: v = []; break;                              // valuelist: empty
      case 18: case 19: v = rhs[0]; break;
      case 20: v = [rhs[0] as string]; break;              // values: atom nlok
      case 21: (rhs[0] as string[]).push(rhs[3] as string); v = rhs[0]; break; // the list is the parser's own: grown in place, linear
      default: v = len ? rhs[0] : null;
    }
    states.length -= len; vals.length -= len;
    const top = states[states.length - 1]!;
    const lhs = R1[r]! - YYNTOKENS;
    const g = PGOTO[lhs]! + top;
    state = g >= 0 && g <= YYLAST && CHECK[g] === top ? TABLE[g]! : DEFGOTO[lhs]!;
    states.push(state); vals.push(v);
  }
}

/** libxlu lookups: the last assignment of a key wins. */
export class CfgView {
  constructor(private readonly settings: Setting[], private readonly source: string,
    private readonly warn: (line: string) => void) {}

  private find(name: string): Setting | undefined {
    for (let i = this.settings.length - 1; i >= 0; i--) if (this.settings[i]!.name === name) return this.settings[i];
    return undefined;
  }

  has(name: string): boolean { return this.find(name) !== undefined; }

  string(name: string): string | undefined {
    const s = this.find(name);
    if (!s) return undefined;
    if (Array.isArray(s.value)) {
      this.warn(`${this.source}:${s.line}: warning: parameter \`${name}' is a list but should be a single value\n`);
      return undefined;
    }
    return s.value;
  }

  /** xlu_cfg_get_long: strtol(base 0) of the whole value, else a warning and "absent". */
  long(name: string): number | undefined {
    const s = this.find(name);
    if (!s) return undefined;
    if (Array.isArray(s.value)) {
      this.warn(`${this.source}:${s.line}: warning: parameter \`${name}' is a list but should be a single value\n`);
      return undefined;
    }
    const n = parseCLong(s.value);
    if (n === undefined) {
      this.warn(`${this.source}:${s.line}: warning: parameter \`${name}' is not a valid number\n`);
      return undefined;
    }
    return n;
  }

  list(name: string): string[] | undefined {
    const s = this.find(name);
    if (!s) return undefined;
    if (!Array.isArray(s.value)) {
      this.warn(`${this.source}:${s.line}: warning: parameter \`${name}' is a single value but should be a list\n`);
      return undefined;
    }
    return s.value;
  }

  /** A key that may be a string or a list (cpus=, extra=...). */
  raw(name: string): string | string[] | undefined {
    return this.find(name)?.value;
  }
}

/** strtol(s, &end, 0) accepting only a fully numeric string. */
export function parseCLong(v: string): number | undefined {
  const t = v.trim();
  let m: RegExpExecArray | null;
  if ((m = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(t))) return (m[1] === '-' ? -1 : 1) * parseInt(m[2]!, 16);
  if ((m = /^([+-]?)0([0-7]+)$/.exec(t))) return (m[1] === '-' ? -1 : 1) * parseInt(m[2]!, 8);
  if (/^[+-]?[0-9]+$/.test(t)) return parseInt(t, 10);
  return undefined;
}
