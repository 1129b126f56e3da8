// Browser tests: karma + karma-webpack + mocha in headless Debian Chromium. Test files import
// describe/it from 'node:test' (the same files run under Node's test runner); here that import is
// aliased to mocha's functions, so no test depends on karma.
const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');

process.env.CHROME_BIN ||= '/usr/bin/chromium';

/** Writes the pass/fail counts for scripts/test.ts to sum up. */
function SummaryReporter(baseReporterDecorator, config) {
  baseReporterDecorator(this);
  const counts = { passed: 0, failed: 0, skipped: 0, errors: [] };
  this.onSpecComplete = (_browser, result) => {
    if (result.skipped) counts.skipped++;
    else if (result.success) counts.passed++;
    else counts.failed++;
  };
  this.onBrowserError = (_browser, error) => counts.errors.push(String(error?.message ?? error));
  this.onRunComplete = (_browsers, results) => {
    if (results.error && counts.failed === 0) counts.errors.push('karma reported an error outside the tests');
    const file = config.summaryFile;
    if (file) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(counts));
    }
  };
}
SummaryReporter.$inject = ['baseReporterDecorator', 'config'];

module.exports = (config) => {
  config.set({
    frameworks: ['mocha', 'webpack'],
    plugins: [
      'karma-mocha',
      'karma-webpack',
      'karma-chrome-launcher',
      { 'reporter:summary': ['type', SummaryReporter] },
    ],
    files: [
      { pattern: 'test/core/**/*.test.ts', watched: false },
      { pattern: 'test/adapters/**/*.test.ts', watched: false },
      { pattern: 'test/contract/**/*.test.ts', watched: false },
      { pattern: 'test/browser/**/*.test.ts', watched: false },
      { pattern: 'src/**/*.test.ts', watched: false },
    ],
    preprocessors: { '**/*.ts': ['webpack'] },
    webpack: {
      mode: 'development',
      devtool: 'inline-source-map',
      resolve: {
        extensions: ['.ts', '.js'],
        extensionAlias: { '.js': ['.ts', '.js'] },
      },
      module: {
        rules: [
          {
            test: /\.ts$/,
            loader: 'esbuild-loader',
            options: { target: 'es2022', tsconfig: path.resolve(__dirname, 'tsconfig.node.json') },
          },
        ],
      },
      // resolve.alias does not see the node: scheme; the replacement runs before resolution.
      plugins: [
        // The reference gateway and the Graph emulator scripts/test.ts starts for the cross-origin tests.
        new webpack.DefinePlugin({
          'process.env.CRM_TEST_GATEWAY_URL': JSON.stringify(process.env.CRM_TEST_GATEWAY_URL ?? ''),
          'process.env.CRM_TEST_GRAPH_URL': JSON.stringify(process.env.CRM_TEST_GRAPH_URL ?? ''),
        }),
        new webpack.NormalModuleReplacementPlugin(
          /^node:test$/,
          path.resolve(__dirname, 'test/support/node-test-mocha.ts'),
        ),
      ],
      stats: 'errors-warnings',
    },
    reporters: ['dots', 'summary'],
    summaryFile: process.env.KARMA_SUMMARY_FILE,
    browsers: ['ChromiumHeadlessDebian'],
    customLaunchers: {
      ChromiumHeadlessDebian: {
        base: 'ChromeHeadless',
        flags: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    },
    // No timing checks here (benchmarks measure speed): the property suite's 1,000 sequences take
    // 10 s on a quiet machine and much longer on a busy VM, which once tripped a 10 s limit.
    client: { mocha: { timeout: 600000 } },
    browserNoActivityTimeout: 600000,
    // A busy VM stalls the browser for seconds: socket.io then drops and karma gave up after 2 s.
    pingTimeout: 60000,
    browserDisconnectTimeout: 60000,
    browserDisconnectTolerance: 2,
    singleRun: true,
    // Tests listen on loopback only.
    listenAddress: '127.0.0.1',
    hostname: '127.0.0.1',
  });
};
