// One entry per Outlook surface (DESIGN.md §1). TypeScript goes through esbuild-loader (typescript 7
// breaks ts-loader); types are checked separately with `tsc --noEmit` (npm run typecheck).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import { contentSecurityPolicy, rewriteManifest, resolveBuildConfig } from './scripts/build-config.js';

const root = path.dirname(fileURLToPath(import.meta.url));

/** @returns {import('webpack').Configuration} */
export default (_env, argv) => {
  const mode = argv.mode === 'production' ? 'production' : 'development';
  const config = resolveBuildConfig(mode, process.env);
  const page = (name, template, chunks) =>
    new HtmlWebpackPlugin({
      filename: `${name}.html`,
      template,
      chunks,
      scriptLoading: 'defer',
      templateParameters: { officeJsUrl: config.officeJsUrl },
    });

  return {
    mode,
    context: root,
    // No eval-based source maps: classic Outlook's JavaScript-only runtime is not a browser.
    devtool: 'source-map',
    entry: {
      taskpane: './taskpane/taskpane.ts',
      'crm-pane': './taskpane/crm-pane.ts',
      dialog: './taskpane/dialog.ts',
      // The Microsoft sign-in of the Office-dialog fallback (hosts without nested app authentication).
      'auth-dialog': './taskpane/auth-dialog.ts',
      commands: './commands/commands.ts',
      // Classic Outlook on Windows runs event handlers in a JavaScript-only runtime that loads one
      // file: this entry must stay self-contained (see splitChunks below).
      events: './commands/events.ts',
    },
    output: {
      path: path.join(root, 'dist'),
      filename: (data) => (data.chunk?.name === 'events' ? 'events.js' : '[name].[contenthash:8].js'),
      chunkFilename: 'chunks/[name].[contenthash:8].js',
      publicPath: '',
      clean: true,
    },
    resolve: {
      extensions: ['.ts', '.js'],
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
    module: {
      rules: [
        {
          test: /\.ts$/,
          loader: 'esbuild-loader',
          options: { target: 'es2022', tsconfig: path.join(root, 'tsconfig.json') },
        },
      ],
    },
    optimization: {
      // Shared vendor code is split out for the HTML surfaces; the events bundle is excluded so that
      // classic Outlook's JS-only runtime gets everything in events.js.
      splitChunks: { chunks: (chunk) => chunk.name !== 'events' },
      runtimeChunk: false,
    },
    performance: { hints: false },
    plugins: [
      page('taskpane', './taskpane/taskpane.html', ['taskpane']),
      page('crm-pane', './taskpane/crm-pane.html', ['crm-pane']),
      page('dialog', './taskpane/dialog.html', ['dialog']),
      page('auth-dialog', './taskpane/auth-dialog.html', ['auth-dialog']),
      // The Entra app the add-in signs in as (not secret: it is also in manifest.xml).
      new webpack.DefinePlugin({
        __ENTRA_CLIENT_ID__: JSON.stringify(config.clientId),
        __ENTRA_AUTHORITY__: JSON.stringify(config.authority),
        // The add-in's own id (manifest <Id>): its custom properties on an appointment are named after it.
        __ADDIN_ID__: JSON.stringify(
          /<Id>([^<]+)<\/Id>/.exec(readFileSync(path.join(root, 'manifest.xml'), 'utf8'))?.[1] ?? '',
        ),
      }),
      page('commands', './commands/commands.html', ['commands']),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'assets', to: 'assets' },
          { from: 'public', to: '.' },
          {
            from: 'manifest.xml',
            to: 'manifest.xml',
            transform: (content) => rewriteManifest(content.toString('utf8'), config),
          },
          // Development and tests have no internet: office.js comes from the local package copy. The
          // production build references Microsoft's CDN instead, as the Office Store requires.
          ...(config.officeJsLocal ? [{ from: 'node_modules/@microsoft/office-js/dist', to: 'office-js' }] : []),
        ],
      }),
      // The header the static host sends with every page (README: "Content-Security-Policy").
      {
        apply: (compiler) =>
          compiler.hooks.thisCompilation.tap('csp', (compilation) =>
            compilation.hooks.processAssets.tap(
              { name: 'csp', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
              () =>
                compilation.emitAsset(
                  'content-security-policy.txt',
                  new webpack.sources.RawSource(
                    `${contentSecurityPolicy({
                      officeJsUrl: config.officeJsUrl,
                      authority: config.authority,
                      connect: [...config.gatewayOrigins, 'https://graph.microsoft.com'],
                    })}\n`,
                  ),
                ),
            ),
          ),
      },
    ],
    stats: 'errors-warnings',
  };
};
