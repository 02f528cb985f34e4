/**
 * `npm run test:browser`: the console in a real Chromium. Its own config, so
 * that `npm test` runs on a machine without a browser. Same transforms and
 * build step as the e2e project.
 */
const { projects } = require('./jest.config');

const e2e = projects.find((project) => project.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: 'browser',
  // The DOM typings too: the tests hand functions to the page.
  transform: {
    ...e2e.transform,
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/browser/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
};
