/**
 * A PromQL subset evaluated over the MetricStore: instant and range vector selectors with =, !=, =~, !~ matchers and
 * `offset`; rate/irate/increase/delta/idelta, *_over_time (incl. quantile/stddev/stdvar/present/absent), deriv,
 * predict_linear, histogram_quantile, abs/ceil/floor/round/clamp_min/clamp_max/log2/log10/sgn,
 * scalar/vector/time/sort/sort_desc; sum/avg/max/min/count/stddev/stdvar/topk/bottomk/quantile with by/without;
 * label_replace/label_join; arithmetic and comparison operators (with `bool`) between scalars and vectors, one-to-one
 * and many-to-one / one-to-many vector matching (on/ignoring, group_left/group_right with extra labels); and/or/unless;
 * subqueries `expr[range:step]`. Semantics follow Prometheus 2.x (5 m lookback, extrapolated rate).
 */
import { Labels, Matcher, MetricStore, Series, compileMatcher, labelsKey, matches } from './metric-store';
import { extrapolate } from './extrapolate';

export class PromQLError extends Error {
  constructor(message: string, readonly errorType: 'bad_data' | 'execution' = 'bad_data') {
    super(message);
  }
}

type Expr =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'sel'; matchers: Matcher[]; range?: number; offset: number }
  | { t: 'call'; fn: string; args: Expr[] }
  | { t: 'agg'; op: string; by?: string[]; without?: string[]; param?: Expr; expr: Expr }
  | { t: 'bin'; op: string; lhs: Expr; rhs: Expr; bool: boolean; on?: string[]; ignoring?: string[]; group?: 'left' | 'right'; include?: string[] }
  | { t: 'neg'; expr: Expr }
  /** `expr[range:step]` (step 0 = the default evaluation interval, 1 m). */
  | { t: 'sub'; expr: Expr; range: number; step: number; offset: number };

const AGG_OPS = new Set(['sum', 'avg', 'max', 'min', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'group']);
const FUNCTIONS: Record<string, { args: string[]; minArgs?: number; variadic?: boolean }> = {
  rate: { args: ['m'] }, irate: { args: ['m'] }, increase: { args: ['m'] }, delta: { args: ['m'] }, idelta: { args: ['m'] },
  avg_over_time: { args: ['m'] }, sum_over_time: { args: ['m'] }, max_over_time: { args: ['m'] }, min_over_time: { args: ['m'] },
  count_over_time: { args: ['m'] }, last_over_time: { args: ['m'] }, resets: { args: ['m'] }, changes: { args: ['m'] },
  histogram_quantile: { args: ['s', 'v'] }, abs: { args: ['v'] }, ceil: { args: ['v'] }, floor: { args: ['v'] }, round: { args: ['v', 's'], minArgs: 1 },
  clamp_min: { args: ['v', 's'] }, clamp_max: { args: ['v', 's'] }, scalar: { args: ['v'] }, vector: { args: ['s'] }, time: { args: [] },
  sort: { args: ['v'] }, sort_desc: { args: ['v'] }, absent: { args: ['v'] }, exp: { args: ['v'] }, ln: { args: ['v'] }, sqrt: { args: ['v'] },
  deriv: { args: ['m'] }, predict_linear: { args: ['m', 's'] }, quantile_over_time: { args: ['s', 'm'] }, stddev_over_time: { args: ['m'] },
  stdvar_over_time: { args: ['m'] }, present_over_time: { args: ['m'] }, absent_over_time: { args: ['m'] },
  log2: { args: ['v'] }, log10: { args: ['v'] }, sgn: { args: ['v'] },
  label_replace: { args: ['v', 'str', 'str', 'str', 'str'] }, label_join: { args: ['v', 'str', 'str', 'str'], minArgs: 3, variadic: true },
};
/** The default evaluation interval a subquery without a step uses. */
const DEFAULT_SUBQUERY_STEP_MS = 60_000;
const BIN_PREC: Record<string, number> = { or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<=': 3, '<': 3, '>=': 3, '>': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6 };
const COMPARISON = new Set(['==', '!=', '<=', '<', '>=', '>']);
const SET_OPS = new Set(['and', 'or', 'unless']);

// ------------------------------------------------------------------ lexer

interface Tok { k: 'num' | 'str' | 'id' | 'dur' | 'op' | 'eof'; v: string; pos: number }

const DUR_RE = /^(\d+(?:ms|s|m|h|d|w|y))+/;

export function parseDuration(s: string): number {
  const m = /^((\d+)(ms|s|m|h|d|w|y))+$/.exec(s);
  if (!m) throw new PromQLError(`not a valid duration string: "${s}"`);
  let total = 0;
  for (const part of s.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(part[1]) * ({ ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 }[part[2]] as number);
  return total;
}

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if (toks.length && (toks[toks.length - 1].v === '[' || (toks[toks.length - 1].k === 'op' && toks[toks.length - 1].v === ':')) && (m = DUR_RE.exec(rest))) { toks.push({ k: 'dur', v: m[0], pos: i }); i += m[0].length; continue; }
    if (c === ':' && toks.length && toks[toks.length - 1].k === 'dur') { toks.push({ k: 'op', v: ':', pos: i }); i++; continue; }
    if (toks.length && toks[toks.length - 1].k === 'id' && toks[toks.length - 1].v === 'offset' && (m = DUR_RE.exec(rest))) { toks.push({ k: 'dur', v: m[0], pos: i }); i += m[0].length; continue; }
    if ((m = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(rest))) { toks.push({ k: 'num', v: m[0], pos: i }); i += m[0].length; continue; }
    if ((m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest))) { toks.push({ k: 'id', v: m[0], pos: i }); i += m[0].length; continue; }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && c !== '`' && j + 1 < src.length) {
          const e = src[j + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new PromQLError(`1:${i + 1}: parse error: unterminated quoted string ${c}`);
      toks.push({ k: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    if ((m = /^(==|!=|<=|>=|=~|!~|[-+*/%^<>=(){}[\],])/.exec(rest))) { toks.push({ k: 'op', v: m[0], pos: i }); i += m[0].length; continue; }
    throw new PromQLError(`1:${i + 1}: parse error: unexpected character: '${c}'`);
  }
  toks.push({ k: 'eof', v: '', pos: src.length });
  return toks;
}

// ------------------------------------------------------------------ parser

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok { return this.toks[this.i]; }
  private next(): Tok { return this.toks[this.i++]; }
  private err(msg: string, tok: Tok = this.peek()): never { throw new PromQLError(`1:${tok.pos + 1}: parse error: ${msg}`); }
  private expect(v: string): Tok {
    const t = this.next();
    if (t.v !== v || t.k === 'str') this.err(`unexpected ${describe(t)}, expected "${v}"`, t);
    return t;
  }

  parse(): Expr {
    if (this.peek().k === 'eof') this.err('no expression found in input');
    const e = this.expr(0);
    if (this.peek().k !== 'eof') this.err(`unexpected ${describe(this.peek())}`);
    return e;
  }

  private binOp(): string | undefined {
    const t = this.peek();
    if (t.k === 'op' && BIN_PREC[t.v] !== undefined) return t.v;
    if (t.k === 'id' && (SET_OPS.has(t.v) || t.v === 'atan2')) return t.v;
    return undefined;
  }

  private expr(minPrec: number): Expr {
    let lhs = this.unary();
    for (;;) {
      const op = this.binOp();
      if (!op || BIN_PREC[op] < minPrec) break;
      this.next();
      let bool = false;
      if (this.peek().k === 'id' && this.peek().v === 'bool') {
        if (!COMPARISON.has(op)) this.err('bool modifier can only be used on comparison operators');
        this.next();
        bool = true;
      }
      let on: string[] | undefined;
      let ignoring: string[] | undefined;
      if (this.peek().k === 'id' && (this.peek().v === 'on' || this.peek().v === 'ignoring')) {
        const kw = this.next().v;
        const labels = this.labelList();
        if (kw === 'on') on = labels; else ignoring = labels;
      }
      let group: 'left' | 'right' | undefined;
      let include: string[] | undefined;
      if (this.peek().k === 'id' && (this.peek().v === 'group_left' || this.peek().v === 'group_right')) {
        if (!on && !ignoring) this.err(`unexpected <group_${this.peek().v.slice(6)}>`);
        if (SET_OPS.has(op)) this.err('no grouping allowed for "' + op + '" operation');
        group = this.next().v === 'group_left' ? 'left' : 'right';
        include = this.peek().v === '(' ? this.labelList() : [];
        if (on) for (const l of include) if (on.includes(l)) this.err(`label "${l}" must not occur in ON and GROUP clause at once`);
      }
      const rhs = this.expr(op === '^' ? BIN_PREC[op] : BIN_PREC[op] + 1);
      lhs = { t: 'bin', op, lhs, rhs, bool, ...(on ? { on } : {}), ...(ignoring ? { ignoring } : {}), ...(group ? { group, include } : {}) };
    }
    return lhs;
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.k === 'op' && (t.v === '-' || t.v === '+')) {
      this.next();
      const e = this.expr(BIN_PREC['^']);
      if (t.v === '+') return e;
      return e.t === 'num' ? { t: 'num', v: -e.v } : { t: 'neg', expr: e };
    }
    return this.postfix(this.primary());
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && t.v === '[') {
        this.next();
        const d = this.next();
        if (d.k !== 'dur') this.err(`unexpected ${describe(d)} in subquery selector, expected duration`, d);
        if (this.peek().v === ':') {
          this.next();
          let step = 0;
          if (this.peek().k === 'dur') step = parseDuration(this.next().v);
          this.expect(']');
          if (!isVectorish(e)) this.err(`subquery is only allowed on instant vector, got ${typeName(e)} instead`);
          e = { t: 'sub', expr: e, range: parseDuration(d.v), step, offset: 0 };
          continue;
        }
        if (e.t !== 'sel' || e.range !== undefined) this.err('ranges only allowed for vector selectors');
        this.expect(']');
        e = { ...e, range: parseDuration(d.v) };
        continue;
      }
      if (t.k === 'id' && t.v === 'offset') {
        this.next();
        const d = this.next();
        if (d.k !== 'dur') this.err(`unexpected ${describe(d)} in offset, expected duration`, d);
        if (e.t !== 'sel' && e.t !== 'sub') this.err('offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
        e = { ...e, offset: parseDuration(d.v) };
        continue;
      }
      return e;
    }
  }

  private labelList(): string[] {
    this.expect('(');
    const out: string[] = [];
    while (this.peek().v !== ')') {
      const t = this.next();
      if (t.k !== 'id') this.err(`unexpected ${describe(t)} in grouping opts, expected label`, t);
      out.push(t.v);
      if (this.peek().v === ',') this.next(); else break;
    }
    this.expect(')');
    return out;
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.k === 'num') { this.next(); return { t: 'num', v: Number(t.v) }; }
    if (t.k === 'str') { this.next(); return { t: 'str', v: t.v }; }
    if (t.k === 'op' && t.v === '(') {
      this.next();
      const e = this.expr(0);
      this.expect(')');
      return e;
    }
    if (t.k === 'op' && t.v === '{') return this.selector(undefined);
    if (t.k === 'id') {
      const low = t.v.toLowerCase();
      if (low === 'inf' || low === 'nan') { this.next(); return { t: 'num', v: low === 'inf' ? Infinity : NaN }; }
      if (AGG_OPS.has(t.v)) return this.aggregation();
      const after = this.toks[this.i + 1];
      if (after.v === '(' && after.k === 'op') {
        if (!FUNCTIONS[t.v]) this.err(`unknown function with name "${t.v}"`);
        return this.call();
      }
      this.next();
      return this.selector(t.v);
    }
    this.err(`unexpected ${describe(t)}`);
  }

  private call(): Expr {
    const name = this.next().v;
    this.expect('(');
    const args: Expr[] = [];
    while (this.peek().v !== ')') {
      args.push(this.expr(0));
      if (this.peek().v === ',') this.next(); else break;
    }
    this.expect(')');
    const def = FUNCTIONS[name];
    if ((args.length > def.args.length && !def.variadic) || args.length < (def.minArgs ?? def.args.length)) {
      throw new PromQLError(`1:1: parse error: expected ${def.args.length} argument(s) in call to "${name}", got ${args.length}`);
    }
    args.forEach((a, i) => {
      const want = def.args[Math.min(i, def.args.length - 1)];
      if (want === 'str' && a.t !== 'str') throw new PromQLError(`1:1: parse error: expected type string in call to function "${name}", got ${typeName(a)}`);
      if (want === 'm' && !((a.t === 'sel' && a.range !== undefined) || a.t === 'sub')) throw new PromQLError(`1:1: parse error: expected type range vector in call to function "${name}", got ${typeName(a)}`);
      if (want === 'v' && !isVectorish(a)) throw new PromQLError(`1:1: parse error: expected type instant vector in call to function "${name}", got ${typeName(a)}`);
    });
    return { t: 'call', fn: name, args };
  }

  private aggregation(): Expr {
    const op = this.next().v;
    let by: string[] | undefined;
    let without: string[] | undefined;
    const grouping = (): void => {
      if (this.peek().k === 'id' && (this.peek().v === 'by' || this.peek().v === 'without')) {
        const kw = this.next().v;
        const l = this.labelList();
        if (kw === 'by') by = l; else without = l;
      }
    };
    grouping();
    this.expect('(');
    let param: Expr | undefined;
    if (op === 'topk' || op === 'bottomk' || op === 'quantile') {
      param = this.expr(0);
      this.expect(',');
    }
    const expr = this.expr(0);
    this.expect(')');
    grouping();
    if (!isVectorish(expr)) throw new PromQLError(`1:1: parse error: expected type instant vector in aggregation expression, got ${typeName(expr)}`);
    return { t: 'agg', op, ...(by ? { by } : {}), ...(without ? { without } : {}), ...(param ? { param } : {}), expr };
  }

  private selector(name: string | undefined): Expr {
    const matchers: Matcher[] = [];
    if (name !== undefined) matchers.push({ name: '__name__', op: '=', value: name });
    if (this.peek().v === '{') {
      this.next();
      while (this.peek().v !== '}') {
        const l = this.next();
        if (l.k !== 'id') this.err(`unexpected ${describe(l)} in label matching, expected label`, l);
        const op = this.next();
        if (!['=', '!=', '=~', '!~'].includes(op.v)) this.err(`unexpected ${describe(op)} in label matching, expected label matching operator`, op);
        const v = this.next();
        if (v.k !== 'str') this.err(`unexpected ${describe(v)} in label matching, expected string`, v);
        let m: Matcher = { name: l.v, op: op.v as Matcher['op'], value: v.v };
        if (m.op === '=~' || m.op === '!~') {
          try { m = compileMatcher(m); } catch { this.err(`error parsing regexp: invalid regular expression "${v.v}"`, v); }
        }
        matchers.push(m);
        if (this.peek().v === ',') this.next(); else break;
      }
      this.expect('}');
    }
    if (!matchers.some((m) => !matches({}, compileMatcher(m)))) {
      throw new PromQLError('1:1: parse error: vector selector must contain at least one non-empty matcher');
    }
    return { t: 'sel', matchers, offset: 0 };
  }
}

function describe(t: Tok): string {
  if (t.k === 'eof') return 'end of input';
  if (t.k === 'str') return `string "${t.v}"`;
  if (t.k === 'num') return `number "${t.v}"`;
  if (t.k === 'id') return `identifier "${t.v}"`;
  return `character "${t.v}"`;
}

function isVectorish(e: Expr): boolean {
  if (e.t === 'sel') return e.range === undefined;
  if (e.t === 'sub') return false;
  if (e.t === 'num' || e.t === 'str') return false;
  if (e.t === 'call') return !['time', 'scalar'].includes(e.fn);
  if (e.t === 'neg') return isVectorish(e.expr);
  if (e.t === 'bin') return isVectorish(e.lhs) || isVectorish(e.rhs);
  return true;
}

function typeName(e: Expr): string {
  if (e.t === 'sel') return e.range === undefined ? 'instant vector' : 'range vector';
  if (e.t === 'sub') return 'range vector';
  if (e.t === 'num') return 'scalar';
  if (e.t === 'str') return 'string';
  if (e.t === 'call' && (e.fn === 'time' || e.fn === 'scalar')) return 'scalar';
  if (e.t === 'bin' && !isVectorish(e)) return 'scalar';
  return 'instant vector';
}

export function parsePromQL(src: string): Expr {
  return new Parser(lex(src)).parse();
}

// ------------------------------------------------------------------ evaluation

export interface Sample { labels: Labels; v: number }
export type Value =
  | { type: 'scalar'; v: number }
  | { type: 'string'; v: string }
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; series: Array<{ labels: Labels; points: Array<[number, number]> }> };

export const LOOKBACK_MS = 5 * 60_000;

const dropped = new WeakMap<Labels, Labels>();

function dropName(l: Labels): Labels {
  if (!('__name__' in l)) return l;
  const hit = dropped.get(l);
  if (hit) return hit;
  const { __name__: _n, ...rest } = l;
  dropped.set(l, rest);
  return rest;
}


function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return Math.pow(a, b);
    case 'atan2': return Math.atan2(a, b);
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
  }
  throw new PromQLError(`operator ${op} not supported`);
}

export class Evaluator {
  /** Selected series per selector node, cached across the steps of one range query. */
  private readonly cache = new Map<Expr, Series[]>();

  constructor(private readonly store: MetricStore) {}

  private series(sel: Extract<Expr, { t: 'sel' }>): Series[] {
    let s = this.cache.get(sel);
    if (!s) this.cache.set(sel, (s = this.store.select(sel.matchers)));
    return s;
  }

  eval(e: Expr, t: number): Value {
    switch (e.t) {
      case 'num': return { type: 'scalar', v: e.v };
      case 'str': return { type: 'string', v: e.v };
      case 'sel': {
        const at = t - e.offset;
        if (e.range !== undefined) {
          const series: Array<{ labels: Labels; points: Array<[number, number]> }> = [];
          for (const s of this.series(e)) {
            const pts = rangePoints(s, at - e.range, at);
            if (pts.length) series.push({ labels: s.labels, points: pts });
          }
          return { type: 'matrix', series };
        }
        const samples: Sample[] = [];
        for (const s of this.series(e)) {
          const i = s.indexAtOrBefore(at);
          if (i >= 0 && s.time(i) > at - LOOKBACK_MS) samples.push({ labels: s.labels, v: s.value(i) });
        }
        return { type: 'vector', samples };
      }
      case 'neg': {
        const v = this.eval(e.expr, t);
        if (v.type === 'scalar') return { type: 'scalar', v: -v.v };
        return { type: 'vector', samples: this.vec(v).map((s) => ({ labels: dropName(s.labels), v: -s.v })) };
      }
      case 'call': return this.call(e, t);
      case 'agg': return this.agg(e, t);
      case 'bin': return this.bin(e, t);
      case 'sub': return { type: 'matrix', series: this.subquery(e, t) };
    }
  }

  /**
   * A subquery's points: the inner expression evaluated at every multiple of the step in (t - range, t] (shifted by
   * the offset), grouped by label set.
   */
  private subquery(e: Extract<Expr, { t: 'sub' }>, t: number): Array<{ labels: Labels; points: Array<[number, number]> }> {
    const step = e.step || DEFAULT_SUBQUERY_STEP_MS;
    const at = t - e.offset;
    const byKey = new Map<string, { labels: Labels; points: Array<[number, number]> }>();
    for (let ts = Math.floor((at - e.range) / step) * step + step; ts <= at; ts += step) {
      const v = this.eval(e.expr, ts);
      const samples = v.type === 'scalar' ? [{ labels: {}, v: v.v }] : this.vec(v);
      for (const smp of samples) {
        const k = labelsKey(smp.labels);
        let g = byKey.get(k);
        if (!g) byKey.set(k, (g = { labels: smp.labels, points: [] }));
        g.points.push([ts, smp.v]);
      }
    }
    return [...byKey.values()];
  }

  private vec(v: Value): Sample[] {
    if (v.type !== 'vector') throw new PromQLError(`expected instant vector, got ${v.type}`, 'execution');
    return v.samples;
  }

  private scalarArg(e: Expr, t: number): number {
    const v = this.eval(e, t);
    if (v.type !== 'scalar') throw new PromQLError(`expected scalar, got ${v.type}`, 'execution');
    return v.v;
  }

  private call(e: Extract<Expr, { t: 'call' }>, t: number): Value {
    const fn = e.fn;
    if (fn === 'time') return { type: 'scalar', v: t / 1000 };
    if (fn === 'vector') return { type: 'vector', samples: [{ labels: {}, v: this.scalarArg(e.args[0], t) }] };
    const sel = e.args[0];
    // The range-vector argument (first, or second for quantile_over_time) and a scalar parameter beside it.
    const mi = FUNCTIONS[fn].args.indexOf('m');
    const rsel = mi >= 0 ? e.args[mi] : undefined;
    const param = mi >= 0 && e.args.length > 1 ? this.scalarArg(e.args[mi === 0 ? 1 : 0], t) : undefined;
    if (rsel?.t === 'sel') {
      const at = t - rsel.offset;
      const from = at - rsel.range!;
      const out: Sample[] = [];
      let found = false;
      for (const s of this.series(rsel)) {
        const v = fn === 'rate' || fn === 'increase' ? s.extrapolatedRate(from, at, rsel.range!, fn === 'rate') : rangeFn(fn, rangePoints(s, from, at), from, at, rsel.range!, param);
        if (v !== undefined) { found = true; if (fn !== 'absent_over_time') out.push({ labels: fn === 'last_over_time' ? s.labels : dropName(s.labels), v }); }
      }
      if (fn === 'absent_over_time') return { type: 'vector', samples: found ? [] : [{ labels: equalityLabels(rsel), v: 1 }] };
      return { type: 'vector', samples: out };
    }
    if (rsel?.t === 'sub') {
      const at = t - rsel.offset;
      const from = at - rsel.range;
      const out: Sample[] = [];
      for (const g of this.subquery(rsel, t)) {
        const v = rangeFn(fn, g.points, from, at, rsel.range, param);
        if (v !== undefined) out.push({ labels: fn === 'last_over_time' ? g.labels : dropName(g.labels), v });
      }
      if (fn === 'absent_over_time') return { type: 'vector', samples: out.length ? [] : [{ labels: {}, v: 1 }] };
      return { type: 'vector', samples: out };
    }
    if (fn === 'label_replace' || fn === 'label_join') return { type: 'vector', samples: this.labelFn(e, t) };
    if (fn === 'histogram_quantile') return { type: 'vector', samples: histogramQuantile(this.scalarArg(e.args[0], t), this.vec(this.eval(e.args[1], t))) };
    if (fn === 'scalar') {
      const v = this.vec(this.eval(e.args[0], t));
      return { type: 'scalar', v: v.length === 1 ? v[0].v : NaN };
    }
    const v = this.vec(this.eval(e.args[0], t));
    switch (fn) {
      case 'abs': case 'ceil': case 'floor': case 'exp': case 'ln': case 'sqrt': case 'log2': case 'log10': case 'sgn': {
        const f = { abs: Math.abs, ceil: Math.ceil, floor: Math.floor, exp: Math.exp, ln: Math.log, sqrt: Math.sqrt, log2: Math.log2, log10: Math.log10, sgn: Math.sign }[fn];
        return { type: 'vector', samples: v.map((s) => ({ labels: dropName(s.labels), v: f(s.v) })) };
      }
      case 'round': {
        const to = e.args[1] ? this.scalarArg(e.args[1], t) : 1;
        return { type: 'vector', samples: v.map((s) => ({ labels: dropName(s.labels), v: Math.floor(s.v / to + 0.5) * to })) };
      }
      case 'clamp_min': case 'clamp_max': {
        const b = this.scalarArg(e.args[1], t);
        return { type: 'vector', samples: v.map((s) => ({ labels: dropName(s.labels), v: fn === 'clamp_min' ? Math.max(s.v, b) : Math.min(s.v, b) })) };
      }
      case 'sort': return { type: 'vector', samples: [...v].sort((a, b) => a.v - b.v) };
      case 'sort_desc': return { type: 'vector', samples: [...v].sort((a, b) => b.v - a.v) };
      case 'absent': {
        if (v.length) return { type: 'vector', samples: [] };
        const labels: Labels = {};
        if (sel.t === 'sel') for (const m of sel.matchers) if (m.op === '=' && m.name !== '__name__') labels[m.name] = m.value;
        return { type: 'vector', samples: [{ labels, v: 1 }] };
      }
    }
    throw new PromQLError(`function ${fn} not supported`, 'execution');
  }

  /** label_replace(v, dst, replacement, src, regex) and label_join(v, dst, separator, src...), as Prometheus does them. */
  private labelFn(e: Extract<Expr, { t: 'call' }>, t: number): Sample[] {
    const v = this.vec(this.eval(e.args[0], t));
    const str = (i: number): string => (e.args[i] as { v: string }).v;
    const dst = str(1);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(dst)) throw new PromQLError(`invalid destination label name in ${e.fn}(): ${dst}`, 'execution');
    const out: Sample[] = [];
    const seen = new Set<string>();
    for (const smp of v) {
      const labels = { ...smp.labels };
      if (e.fn === 'label_replace') {
        let re: RegExp;
        try { re = new RegExp(`^(?:${str(4)})$`, 's'); } catch { throw new PromQLError(`invalid regular expression in label_replace(): ${str(4)}`, 'execution'); }
        const m = re.exec(labels[str(3)] ?? '');
        if (m) {
          const value = str(2).replace(/\$(\$|\{(\w+)\}|(\d+))/g, (_all, d: string, named?: string, num?: string) => (d === '$' ? '$' : (num !== undefined ? m[Number(num)] : m.groups?.[named!]) ?? ''));
          if (value === '') delete labels[dst]; else labels[dst] = value;
        }
      } else {
        const value = e.args.slice(3).map((_, i) => labels[str(i + 3)] ?? '').join(str(2));
        if (value === '') delete labels[dst]; else labels[dst] = value;
      }
      const key = labelsKey(labels);
      if (seen.has(key)) throw new PromQLError('vector cannot contain metrics with the same labelset', 'execution');
      seen.add(key);
      out.push({ labels, v: smp.v });
    }
    return out;
  }

  private agg(e: Extract<Expr, { t: 'agg' }>, t: number): Value {
    const input = this.vec(this.eval(e.expr, t));
    const groups = new Map<string, { labels: Labels; items: Sample[] }>();
    const byKeys = e.by ? [...e.by].sort() : undefined;
    for (const s of input) {
      let labels: Labels;
      let key: string;
      if (e.by) {
        key = '';
        for (const k of byKeys!) { const v = s.labels[k]; if (v !== undefined && v !== '') key += `${k}\u0000${v}\u0001`; }
        const known = groups.get(key);
        if (known) { known.items.push(s); continue; }
        labels = {};
        for (const k of e.by) if (s.labels[k] !== undefined && s.labels[k] !== '') labels[k] = s.labels[k];
      } else if (e.without) { labels = { ...dropName(s.labels) }; for (const k of e.without) delete labels[k]; key = labelsKey(labels); }
      else { labels = {}; key = ''; }
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { labels, items: [] }));
      g.items.push(s);
    }
    const out: Sample[] = [];
    const param = e.param ? this.scalarArg(e.param, t) : 0;
    for (const g of groups.values()) {
      const vals = g.items.map((s) => s.v);
      switch (e.op) {
        case 'sum': out.push({ labels: g.labels, v: vals.reduce((a, b) => a + b, 0) }); break;
        case 'avg': out.push({ labels: g.labels, v: vals.reduce((a, b) => a + b, 0) / vals.length }); break;
        case 'max': out.push({ labels: g.labels, v: vals.reduce((a, b) => (Number.isNaN(a) || b > a ? b : a), NaN) }); break;
        case 'min': out.push({ labels: g.labels, v: vals.reduce((a, b) => (Number.isNaN(a) || b < a ? b : a), NaN) }); break;
        case 'count': out.push({ labels: g.labels, v: vals.length }); break;
        case 'group': out.push({ labels: g.labels, v: 1 }); break;
        case 'stddev': case 'stdvar': {
          const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
          const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
          out.push({ labels: g.labels, v: e.op === 'stddev' ? Math.sqrt(variance) : variance });
          break;
        }
        case 'quantile': out.push({ labels: g.labels, v: quantile(param, vals) }); break;
        case 'topk': case 'bottomk': {
          const sorted = [...g.items].sort((a, b) => (e.op === 'topk' ? b.v - a.v : a.v - b.v));
          out.push(...sorted.slice(0, Math.max(0, Math.floor(param))));
          break;
        }
      }
    }
    return { type: 'vector', samples: out };
  }

  private bin(e: Extract<Expr, { t: 'bin' }>, t: number): Value {
    const l = this.eval(e.lhs, t);
    const r = this.eval(e.rhs, t);
    const cmp = COMPARISON.has(e.op);
    if (SET_OPS.has(e.op)) return this.setOp(e, this.vec(l), this.vec(r));
    if (l.type === 'scalar' && r.type === 'scalar') {
      if (cmp && !e.bool) throw new PromQLError('1:1: parse error: comparisons between scalars must use BOOL modifier');
      return { type: 'scalar', v: arith(e.op, l.v, r.v) };
    }
    if (l.type === 'scalar' || r.type === 'scalar') {
      const vecSide = l.type === 'scalar' ? this.vec(r) : this.vec(l);
      const sc = l.type === 'scalar' ? l.v : (r as { v: number }).v;
      const out: Sample[] = [];
      for (const s of vecSide) {
        const v = l.type === 'scalar' ? arith(e.op, sc, s.v) : arith(e.op, s.v, sc);
        if (cmp && !e.bool) { if (v) out.push({ labels: s.labels, v: s.v }); continue; }
        out.push({ labels: dropName(s.labels), v });
      }
      return { type: 'vector', samples: out };
    }
    const lv = this.vec(l);
    const rv = this.vec(r);
    const matchOn = (labels: Labels): Labels => {
      if (e.on) { const o: Labels = {}; for (const k of e.on) if (labels[k] !== undefined) o[k] = labels[k]; return o; }
      const o = { ...dropName(labels) };
      for (const k of e.ignoring ?? []) delete o[k];
      for (const k of e.include ?? []) delete o[k];
      return o;
    };
    const sig = (labels: Labels): string => labelsKey(matchOn(labels));
    const show = (labels: Labels): string => `{${Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`).join(', ')}}`;
    // group_right: the right side is the "many" side; matching runs from it, operands keep their order.
    const many = e.group === 'right' ? rv : lv;
    const oneSide = e.group === 'right' ? lv : rv;
    const one = new Map<string, Sample>();
    for (const smp of oneSide) {
      const k = sig(smp.labels);
      if (one.has(k)) {
        const side = e.group === 'right' ? 'left' : 'right';
        throw new PromQLError(e.group
          ? `found duplicate series for the match group ${show(matchOn(smp.labels))} on the ${side} hand-side of the operation: [${show(one.get(k)!.labels)}, ${show(smp.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`
          : 'found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side', 'execution');
      }
      one.set(k, smp);
    }
    const out: Sample[] = [];
    const seenMany = new Set<string>();
    const seenResult = new Set<string>();
    for (const smp of many) {
      const k = sig(smp.labels);
      const m = one.get(k);
      if (!m) continue;
      if (!e.group) {
        if (seenMany.has(k)) throw new PromQLError('found duplicate series for the match group on the left hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side', 'execution');
        seenMany.add(k);
      }
      const [lhsV, rhsV] = e.group === 'right' ? [m.v, smp.v] : [smp.v, m.v];
      const v = arith(e.op, lhsV, rhsV);
      const filter = cmp && !e.bool;
      if (filter && !v) continue;
      // Result labels as Prometheus' resultMetric: from the "many" side (lhs for one-to-one), the name dropped for
      // arithmetic and bool, reduced to `on` / without `ignoring` for one-to-one, `group_x(...)` labels from the one side.
      let labels: Labels = filter ? { ...smp.labels } : dropName(smp.labels);
      if (!e.group) {
        if (e.on) { const o: Labels = {}; for (const key of e.on) if (labels[key] !== undefined) o[key] = labels[key]; labels = o; }
        else if (e.ignoring) { labels = { ...labels }; for (const key of e.ignoring) delete labels[key]; }
      } else {
        labels = { ...labels };
        for (const key of e.include ?? []) { if (m.labels[key] !== undefined && m.labels[key] !== '') labels[key] = m.labels[key]; else delete labels[key]; }
        const rk = labelsKey(labels);
        if (seenResult.has(rk)) throw new PromQLError('multiple matches for labels: grouping labels must ensure unique matches', 'execution');
        seenResult.add(rk);
      }
      out.push({ labels, v: filter ? lhsV : v });
    }
    return { type: 'vector', samples: out };
  }

  private setOp(e: Extract<Expr, { t: 'bin' }>, l: Sample[], r: Sample[]): Value {
    const sig = (labels: Labels): string => {
      if (e.on) { const o: Labels = {}; for (const k of e.on) if (labels[k] !== undefined) o[k] = labels[k]; return labelsKey(o); }
      const o = { ...dropName(labels) };
      for (const k of e.ignoring ?? []) delete o[k];
      return labelsKey(o);
    };
    const rs = new Set(r.map((s) => sig(s.labels)));
    if (e.op === 'and') return { type: 'vector', samples: l.filter((s) => rs.has(sig(s.labels))) };
    if (e.op === 'unless') return { type: 'vector', samples: l.filter((s) => !rs.has(sig(s.labels))) };
    const ls = new Set(l.map((s) => sig(s.labels)));
    return { type: 'vector', samples: [...l, ...r.filter((s) => !ls.has(sig(s.labels)))] };
  }
}

function rangePoints(s: Series, fromExclusive: number, to: number): Array<[number, number]> {
  const end = s.indexAtOrBefore(to);
  const out: Array<[number, number]> = [];
  for (let i = end; i >= 0; i--) {
    const tt = s.time(i);
    if (tt <= fromExclusive) break;
    out.push([tt, s.value(i)]);
  }
  return out.reverse();
}

/** The labels an absent()/absent_over_time() result carries: the selector's equality matchers. */
function equalityLabels(sel: Extract<Expr, { t: 'sel' }>): Labels {
  const labels: Labels = {};
  for (const m of sel.matchers) if (m.op === '=' && m.name !== '__name__') labels[m.name] = m.value;
  return labels;
}

/** Prometheus' linearRegression: slope per second and the value at `interceptMs`. */
function linearRegression(pts: Array<[number, number]>, interceptMs: number): { slope: number; intercept: number } {
  const y0 = pts[0][1];
  if (pts.every(([, v]) => v === y0)) return Number.isFinite(y0) ? { slope: 0, intercept: y0 } : { slope: NaN, intercept: NaN };
  let n = 0, sx = 0, sy = 0, sxy = 0, sx2 = 0;
  for (const [t, v] of pts) {
    const x = (t - interceptMs) / 1000;
    n++; sx += x; sy += v; sxy += x * v; sx2 += x * x;
  }
  const slope = (sxy - (sx * sy) / n) / (sx2 - (sx * sx) / n);
  return { slope, intercept: sy / n - (slope * sx) / n };
}

function rangeFn(fn: string, pts: Array<[number, number]>, from: number, to: number, rangeMs: number, param?: number): number | undefined {
  if (!pts.length) return undefined;
  const vals = pts.map((p) => p[1]);
  switch (fn) {
    case 'rate': case 'increase': case 'delta': return extrapolatedRate(pts, from, to, rangeMs, fn !== 'delta', fn === 'rate');
    case 'irate': case 'idelta': {
      if (pts.length < 2) return undefined;
      const [t1, v1] = pts[pts.length - 2];
      const [t2, v2] = pts[pts.length - 1];
      const d = fn === 'irate' && v2 < v1 ? v2 : v2 - v1;
      return fn === 'irate' ? d / ((t2 - t1) / 1000) : d;
    }
    case 'avg_over_time': return vals.reduce((a, b) => a + b, 0) / vals.length;
    case 'sum_over_time': return vals.reduce((a, b) => a + b, 0);
    case 'max_over_time': return Math.max(...vals);
    case 'min_over_time': return Math.min(...vals);
    case 'count_over_time': return vals.length;
    case 'last_over_time': return vals[vals.length - 1];
    case 'resets': { let n = 0; for (let i = 1; i < vals.length; i++) if (vals[i] < vals[i - 1]) n++; return n; }
    case 'changes': { let n = 0; for (let i = 1; i < vals.length; i++) if (vals[i] !== vals[i - 1]) n++; return n; }
    case 'present_over_time': case 'absent_over_time': return 1;
    case 'quantile_over_time': return quantile(param ?? NaN, vals);
    case 'stddev_over_time': case 'stdvar_over_time': {
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
      return fn === 'stddev_over_time' ? Math.sqrt(variance) : variance;
    }
    case 'deriv': return pts.length < 2 ? undefined : linearRegression(pts, pts[0][0]).slope;
    case 'predict_linear': {
      if (pts.length < 2) return undefined;
      const { slope, intercept } = linearRegression(pts, to);
      return intercept + slope * (param ?? 0);
    }
  }
  return undefined;
}

/** rate/increase/delta over a list of samples: the change (with counter resets), then Prometheus' extrapolation. */
function extrapolatedRate(pts: Array<[number, number]>, rangeStart: number, rangeEnd: number, rangeMs: number, isCounter: boolean, isRate: boolean): number | undefined {
  if (pts.length < 2) return undefined;
  const first = pts[0];
  const last = pts[pts.length - 1];
  let change = last[1] - first[1];
  if (isCounter) {
    let prev = first[1];
    for (const [, v] of pts) { if (v < prev) change += prev; prev = v; }
  }
  return extrapolate({ firstT: first[0], firstV: first[1], lastT: last[0], count: pts.length, change }, rangeStart, rangeEnd, rangeMs, isCounter, isRate);
}

function quantile(q: number, vals: number[]): number {
  if (!vals.length) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const s = [...vals].sort((a, b) => a - b);
  const rank = q * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

/** Prometheus' histogram_quantile over classic `le` buckets. */
export function histogramQuantile(q: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: Array<{ le: number; v: number }> }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const { le: _le, ...rest } = dropName(s.labels);
    const key = labelsKey(rest);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: rest, buckets: [] }));
    g.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), v: s.v });
  }
  const out: Sample[] = [];
  for (const g of groups.values()) out.push({ labels: g.labels, v: bucketQuantile(q, g.buckets) });
  return out;
}

function bucketQuantile(q: number, buckets: Array<{ le: number; v: number }>): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buckets.sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets[buckets.length - 1].le !== Infinity) return NaN;
  for (let i = 1; i < buckets.length; i++) if (buckets[i].v < buckets[i - 1].v) buckets[i].v = buckets[i - 1].v;
  const total = buckets[buckets.length - 1].v;
  if (total === 0) return NaN;
  let rank = q * total;
  let b = buckets.findIndex((x) => x.v >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2].le;
  if (b === 0 && buckets[0].le <= 0) return buckets[0].le;
  let start = 0;
  const end = buckets[b].le;
  let count = buckets[b].v;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].v;
    rank -= buckets[b - 1].v;
  }
  b = b + 0;
  return start + (end - start) * (rank / count);
}

/** Evaluates `query` at one instant (ms). */
export function instantQuery(store: MetricStore, query: string, tMs: number): Value {
  const expr = parsePromQL(query);
  return new Evaluator(store).eval(expr, tMs);
}

/** Evaluates `query` at every step from `startMs` to `endMs`; returns a matrix (series sorted by labels). */
export function rangeQuery(store: MetricStore, query: string, startMs: number, endMs: number, stepMs: number): Extract<Value, { type: 'matrix' }> {
  const expr = parsePromQL(query);
  if (expr.t === 'str' || (expr.t === 'sel' && expr.range !== undefined) || expr.t === 'sub') {
    throw new PromQLError(`invalid expression type "${expr.t === 'str' ? 'string' : 'range vector'}" for range query, must be Scalar or instant Vector`);
  }
  const ev = new Evaluator(store);
  const byKey = new Map<string, { labels: Labels; points: Array<[number, number]> }>();
  for (let t = startMs; t <= endMs; t += stepMs) {
    const v = ev.eval(expr, t);
    const samples = v.type === 'scalar' ? [{ labels: {}, v: v.v }] : v.type === 'vector' ? v.samples : [];
    for (const s of samples) {
      const k = labelsKey(s.labels);
      let e = byKey.get(k);
      if (!e) byKey.set(k, (e = { labels: s.labels, points: [] }));
      e.points.push([t, s.v]);
    }
  }
  const series = [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
  return { type: 'matrix', series };
}
