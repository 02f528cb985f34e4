/**
 * Nest 12 ships as ES modules, which Node 20 loads through require(esm) but
 * Jest on Node 20 does not. So Jest compiles those packages to CommonJS with
 * Babel, the same module system the build runs on (`npm start`).
 */
const ESM_PACKAGES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/testing',
  '@nestjs/platform-express',
  '@nestjs/typeorm',
  '@nestjs/swagger',
  '@nestjs/terminus',
  '@nestjs/mapped-types',
  '@nestjs/axios',
  'agent-base',
  'http-proxy-agent',
  'https-proxy-agent',
  'proxy-agent-negotiate',
  'proxy',
];

const common = {
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+\\.js$': [
      'babel-jest',
      {
        babelrc: false,
        configFile: false,
        plugins: [
          '@babel/plugin-transform-modules-commonjs',
          require.resolve('./test/support/babel-import-meta-to-commonjs.js'),
        ],
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  // The host fixtures are packages of their own, run by scripts/test-hosts.sh.
  modulePathIgnorePatterns: ['<rootDir>/test/hosts/'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/build-service.global-setup.ts',
    },
  ],
};
