import parsePrometheusTextFormat, { PrometheusFamily, PrometheusSample } from 'parse-prometheus-text-format';

export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const FLOAT = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN)';
const SAMPLE_LINE = new RegExp(`^(${METRIC_NAME})(?:\\{${LABEL}(?:,${LABEL})*\\})? ${FLOAT}(?: -?\\d+)?$`);
const HELP_LINE = new RegExp(`^# HELP (${METRIC_NAME}) .*$`);
const TYPE_LINE = new RegExp(`^# TYPE (${METRIC_NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/** A scrape parsed as the Prometheus text exposition format, after a strict line-by-line check. */
export class Exposition {
  private constructor(
    readonly text: string,
    readonly families: readonly PrometheusFamily[],
  ) {}

  /**
   * parse-prometheus-text-format reads the families; it is lenient about
   * values and undeclared names, so each line is also held to the format's
   * grammar here: HELP and TYPE once per family and before its samples,
   * samples only of declared families with their type's suffixes, label
   * values quoted and escaped, values Go floats, a final newline.
   */
  static parse(text: string): Exposition {
    if (!text.endsWith('\n')) {
      throw new Error('exposition does not end with a newline');
    }
    const types = new Map<string, string>();
    const helped = new Set<string>();
    for (const line of text.slice(0, -1).split('\n')) {
      const help = HELP_LINE.exec(line);
      const type = TYPE_LINE.exec(line);
      const sample = SAMPLE_LINE.exec(line);
      if (help) {
        expectNew(helped, help[1], line);
      } else if (type) {
        if (types.has(type[1])) {
          throw new Error(`TYPE declared twice: ${line}`);
        }
        types.set(type[1], type[2]);
      } else if (sample) {
        if (!familyOf(sample[1], types)) {
          throw new Error(`sample of an undeclared family: ${line}`);
        }
      } else if (line !== '') {
        throw new Error(`not a line of the Prometheus text format: ${JSON.stringify(line)}`);
      }
    }
    return new Exposition(text, parsePrometheusTextFormat(text));
  }

  family(name: string): PrometheusFamily {
    const family = this.families.find((candidate) => candidate.name === name);
    if (!family) {
      throw new Error(`no metric family ${name} in the scrape`);
    }
    return family;
  }

  /** A counter's or gauge's value for exactly these labels; 0 when the series does not exist yet. */
  value(name: string, labels: Record<string, string> = {}): number {
    const sample = this.sample(name, labels);
    return sample ? Number(sample.value) : 0;
  }

  /** How many observations a histogram series has; 0 when it does not exist yet. */
  observations(name: string, labels: Record<string, string>): number {
    const sample = this.sample(name, labels);
    return sample ? Number(sample.count) : 0;
  }

  private sample(name: string, labels: Record<string, string>): PrometheusSample | undefined {
    return this.family(name).metrics.find((sample) => sameLabels(sample.labels ?? {}, labels));
  }
}

export async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) {
    throw new Error(`GET /metrics answered ${response.status}`);
  }
  return Exposition.parse(await response.text());
}

function expectNew(seen: Set<string>, name: string, line: string): void {
  if (seen.has(name)) {
    throw new Error(`HELP given twice: ${line}`);
  }
  seen.add(name);
}

function familyOf(sampleName: string, types: ReadonlyMap<string, string>): string | undefined {
  for (const [family, type] of types) {
    if (SUFFIXES[type].some((suffix) => `${family}${suffix}` === sampleName)) {
      return family;
    }
  }
  return undefined;
}

function sameLabels(actual: Record<string, string>, expected: Record<string, string>): boolean {
  const keys = Object.keys(actual);
  return keys.length === Object.keys(expected).length && keys.every((key) => actual[key] === expected[key]);
}
