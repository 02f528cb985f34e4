// Checks what installing the packed module did to a host fixture (scripts/test-hosts.sh):
// none of the host's packages changed or moved, one copy of each framework package,
// and none of the standalone service's packages came along.
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

const STANDALONE_ONLY = [
  'better-sqlite3',
  'nestjs-pino',
  'pino',
  'pino-http',
  'pino-pretty',
  'helmet',
  '@nestjs/terminus',
  'ioredis',
];
const SINGLE_COPY = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/typeorm',
  '@nestjs/swagger',
  '@nestjs/throttler',
  'typeorm',
  'rxjs',
  'reflect-metadata',
  'class-validator',
  'class-transformer',
  'express',
  'prom-client',
];

/** Every installed package of the tree: location → name@version. */
function installed(dir) {
  const nodes = JSON.parse(execFileSync('npm', ['query', '*'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 }));
  return new Map(nodes.filter((node) => node.location).map((node) => [node.location, `${node.name}@${node.version}`]));
}

const [dir, beforeFile] = process.argv.slice(2);
if (process.argv[4] === '--snapshot') {
  process.stdout.write(JSON.stringify([...installed(dir)]));
  process.exit(0);
}
const before = new Map(JSON.parse(readFileSync(beforeFile, 'utf8')));
const after = installed(dir);
const problems = [];

for (const [location, pkg] of before) {
  if (after.get(location) !== pkg) {
    problems.push(`the host's ${pkg} at ${location} became ${after.get(location) ?? 'nothing'}`);
  }
}
const names = [...after.values()].map((pkg) => pkg.replace(/@[^@]*$/, ''));
for (const name of SINGLE_COPY) {
  const copies = names.filter((candidate) => candidate === name).length;
  if (copies !== 1) {
    problems.push(`${copies} copies of ${name}, expected 1`);
  }
}
for (const name of STANDALONE_ONLY) {
  if (names.includes(name)) {
    problems.push(`${name} was installed: only the standalone service uses it`);
  }
}
const added = [...after].filter(([location]) => !before.has(location)).map(([, pkg]) => pkg);
console.log(`installing the tarball added: ${added.sort().join(', ')}`);
if (!added.some((pkg) => pkg.startsWith('notifications-admin@'))) {
  problems.push('notifications-admin is not installed');
}
if (problems.length > 0) {
  console.error(problems.map((problem) => `install check: ${problem}`).join('\n'));
  process.exit(1);
}
console.log('install check: no host package changed, one copy of each framework package, no standalone-only package');
