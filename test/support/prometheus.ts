export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*';
const LABEL = `${LABEL_NAME}="${LABEL_VALUE}"`;
/** Go's ParseFloat, which Prometheus reads values with: NaN and Inf(inity) in any case. */
const FLOAT =
  '[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])';
const SAMPLE_LINE = new RegExp(`^(${METRIC_NAME})(?:\\{(${LABEL}(?:,${LABEL})*)\\})? (${FLOAT})(?: -?\\d+)?$`);
const LABEL_PAIR = new RegExp(`(${LABEL_NAME})="(${LABEL_VALUE})"`, 'g');
const HELP_LINE = new RegExp(`^# HELP (${METRIC_NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${METRIC_NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/**
 * A scrape read as the Prometheus text exposition format (0.0.4), strictly:
 * any line outside the format's grammar, a sample of a family whose TYPE was
 * not declared before it (or with a suffix its type does not have), a family
 * declared twice, a label repeated, or a histogram whose buckets are not
 * cumulative up to `+Inf` = `_count` fails the parse.
 *
 * Written here because the one npm parser of the format
 * (parse-prometheus-text-format 1.1.1) folds every series of a labelled
 * histogram into one, and the duration histogram is labelled.
 */
export class Exposition {
  private constructor(
    readonly text: string,
    private readonly families: ReadonlyMap<string, Family>,
  ) {}

  static parse(text: string): Exposition {
    if (!text.endsWith('\n')) {
      throw new Error('exposition does not end with a newline');
    }
    const families = new Map<string, Family>();
    for (const line of text.slice(0, -1).split('\n')) {
      readLine(line, families);
    }
    for (const family of families.values()) {
      if (family.type === 'histogram') {
        checkHistogram(family);
      }
    }
    return new Exposition(text, families);
  }

  family(name: string): Family {
    const family = this.families.get(name);
    if (!family) {
      throw new Error(`no metric family ${name} in the scrape`);
    }
    return family;
  }

  /**
   * Each series of a family with its value: a counter's or gauge's value, a
   * histogram's number of observations.
   */
  series(name: string): Sample[] {
    const family = this.family(name);
    const sampleName = family.type === 'histogram' ? `${name}_count` : name;
    return family.samples.filter((sample) => sample.name === sampleName);
  }

  /** The value of the series with exactly these labels; 0 when it does not exist yet. */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.series(name).find((sample) => sameLabels(sample.labels, labels))?.value ?? 0;
  }

  /** A histogram series' sum of observations; 0 when it does not exist yet. */
  sum(name: string, labels: Record<string, string>): number {
    const sampleName = `${name}_sum`;
    return (
      this.family(name).samples.find((sample) => sample.name === sampleName && sameLabels(sample.labels, labels))
        ?.value ?? 0
    );
  }
}

export async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) {
    throw new Error(`GET /metrics answered ${response.status}`);
  }
  return Exposition.parse(await response.text());
}

function readLine(line: string, families: Map<string, Family>): void {
  const help = HELP_LINE.exec(line);
  const type = TYPE_LINE.exec(line);
  const sample = SAMPLE_LINE.exec(line);
  if (help) {
    // prom-client writes HELP, then TYPE: the family starts with its HELP.
    if (families.has(help[1])) {
      throw new Error(`family described twice: ${line}`);
    }
    families.set(help[1], { name: help[1], help: help[2], type: 'untyped', samples: [] });
  } else if (type) {
    const family = families.get(type[1]);
    if (!family || family.samples.length > 0 || family.type !== 'untyped') {
      throw new Error(`TYPE not right after its HELP: ${line}`);
    }
    family.type = type[2] as MetricType;
  } else if (sample) {
    const family = [...families.values()].find((candidate) =>
      SUFFIXES[candidate.type].some((suffix) => `${candidate.name}${suffix}` === sample[1]),
    );
    if (!family) {
      throw new Error(`sample of an undeclared family: ${line}`);
    }
    family.samples.push({ name: sample[1], labels: labelsOf(sample[2] ?? '', line), value: floatOf(sample[3]) });
  } else if (line !== '') {
    throw new Error(`not a line of the Prometheus text format: ${JSON.stringify(line)}`);
  }
}

function floatOf(text: string): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (!special) {
    return Number(text);
  }
  return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
}

function labelsOf(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, escaped] of text.matchAll(LABEL_PAIR)) {
    if (name in labels) {
      throw new Error(`label ${name} repeated: ${line}`);
    }
    labels[name] = escaped.replace(/\\(["\\n])/g, (_match, character: string) =>
      character === 'n' ? '\n' : character,
    );
  }
  return labels;
}

/** Buckets cumulative and ending at +Inf, which counts every observation. */
function checkHistogram(family: Family): void {
  for (const count of family.samples.filter((sample) => sample.name === `${family.name}_count`)) {
    const buckets = family.samples.filter(
      (sample) => sample.name === `${family.name}_bucket` && sameLabels(withoutLe(sample.labels), count.labels),
    );
    const values = buckets.map((bucket) => bucket.value);
    const cumulative = values.every((value, index) => index === 0 || value >= values[index - 1]);
    if (!cumulative || buckets.at(-1)?.labels.le !== '+Inf' || buckets.at(-1)?.value !== count.value) {
      throw new Error(`histogram ${family.name}${JSON.stringify(count.labels)} has inconsistent buckets`);
    }
  }
}

function withoutLe(labels: Record<string, string>): Record<string, string> {
  const rest = { ...labels };
  delete rest.le;
  return rest;
}

function sameLabels(actual: Record<string, string>, expected: Record<string, string>): boolean {
  const keys = Object.keys(actual);
  return keys.length === Object.keys(expected).length && keys.every((key) => actual[key] === expected[key]);
}
