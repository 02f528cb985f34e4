import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
/** No telemetry or update check: the linters run offline, as in CI. */
const OFFLINE = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

export interface LintProblem {
  rule: string;
  severity: string;
  message: string;
  where: string;
}

/** `redocly lint --extends=recommended`: every error and warning. */
export async function redoclyProblems(file: string): Promise<LintProblem[]> {
  const { stdout } = await run(bin('redocly'), ['lint', '--extends=recommended', '--format=json', file], {
    env: OFFLINE,
  }).catch((failure: { stdout?: string }) => ({ stdout: failure.stdout ?? '' }));
  const report = JSON.parse(stdout) as {
    problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
  };
  return report.problems.map((problem) => ({
    rule: problem.ruleId,
    severity: problem.severity,
    message: problem.message,
    where: problem.location.map((location) => location.pointer).join(', '),
  }));
}

const SPECTRAL_SEVERITIES = ['error', 'warn', 'info', 'hint'];

/** `spectral lint` with the repo's ruleset (.spectral.yaml: `spectral:oas`): every result, hints included. */
export async function spectralProblems(file: string): Promise<LintProblem[]> {
  const { stdout } = await run(
    bin('spectral'),
    ['lint', '--format=json', '--quiet', '--ruleset=.spectral.yaml', file],
    {
      env: OFFLINE,
    },
  ).catch((failure: { stdout?: string }) => ({ stdout: failure.stdout ?? '' }));
  const results = JSON.parse(stdout.trim() === '' ? '[]' : stdout) as {
    code: string;
    severity: number;
    message: string;
    path: string[];
  }[];
  return results.map((result) => ({
    rule: result.code,
    severity: SPECTRAL_SEVERITIES[result.severity],
    message: result.message,
    where: result.path.join('.'),
  }));
}
