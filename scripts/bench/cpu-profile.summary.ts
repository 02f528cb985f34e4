import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/**
 * Self time of a V8 `.cpuprofile` (what `node --cpu-prof` writes), summed by
 * function and by package: where the service's CPU actually goes.
 */
export function summarizeCpuProfile(path: string, top: number): { functions: SelfTime[]; packages: SelfTime[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((nodeId, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(nodeId);
    if (!frame) {
      return;
    }
    totalUs += us;
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : 'native';
    add(byFunction, `${frame.functionName || '(anonymous)'} ${where}`, us);
    add(byPackage, packageOf(frame), us);
  });
  const ranked = (times: Map<string, number>) =>
    [...times.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: us / totalUs }));
  return { functions: ranked(byFunction), packages: ranked(byPackage) };
}

function add(times: Map<string, number>, key: string, us: number): void {
  times.set(key, (times.get(key) ?? 0) + us);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    return url.slice(modules + 'node_modules/'.length);
  }
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url.replace(/^file:\/\//, '');
}

/** `(garbage collector)`, `(idle)` and `(program)` are V8's own rows; they stay as they are. */
function packageOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) {
    return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  }
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (match) {
    return match[1];
  }
  if (frame.url.startsWith('node:')) {
    return 'node core';
  }
  return frame.url.includes('/dist/') ? 'service (dist/)' : frame.url;
}
