// Builds index.js into build/bundle.js and each theme into build/themes/, as `jupyter lab build`
// does; @jupyterlab/builder copies the plugins' settings schemas and writes build/style.js (the
// theme builds it returns are webpack's, so the themes are built here with rspack's own CSS
// extraction instead).
const fs = require('node:fs');
const path = require('node:path');
const rspack = require('@rspack/core');
const { Build } = require('@jupyterlab/builder');
const svgToDataUri = require('mini-svg-data-uri');
const { jupyterlab } = require('./package.json');

const output = path.join(__dirname, 'build');
Build.ensureAssets({ packageNames: [...jupyterlab.extensions, ...jupyterlab.mimeExtensions], output });
const THEMES = jupyterlab.extensions.filter((name) => /theme-.*-extension$/.test(name));

/** In CSS an SVG is a data URL. */
const svgInCss = { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.css$/, type: 'asset/inline', generator: { dataUrl: { content: (source) => svgToDataUri(source.content), mimetype: 'image/svg+xml' } } };
const cssRule = { test: /\.css$/, exclude: /\.raw\.css$/, type: 'javascript/auto', use: [rspack.CssExtractRspackPlugin.loader, 'css-loader'] };
const fonts = { test: /\.(woff2?|ttf|eot|cur|png|jpg|gif)(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' };

/** build/plugins.js: an `import()` of each plugin package, literal specifiers that rspack can bundle. */
const importsOf = (names) => `() => [\n${names.map((name) => `  import(${JSON.stringify(name)}),`).join('\n')}\n]`;
fs.writeFileSync(path.join(output, 'plugins.js'), `// Written by rspack.config.js from package.json's "jupyterlab" field.\nexport const extensions = ${importsOf(jupyterlab.extensions)};\nexport const mimeExtensions = ${importsOf(jupyterlab.mimeExtensions)};\n`);

module.exports = [
  {
    entry: './index.js',
    output: { path: output, filename: 'bundle.js', chunkFilename: '[name].[contenthash:8].js' },
    mode: 'production',
    bail: true,
    devtool: false,
    optimization: { minimize: false },
    module: {
      rules: [
        // @jupyter/web-components imports files without their extensions.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        cssRule,
        { test: /\.raw\.css$/, type: 'asset/source' },
        { test: /\.html$/, type: 'asset/resource' },
        { test: /\.md$/, type: 'asset/source' },
        fonts,
        svgInCss,
        // Imported from code, an SVG is its text.
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: 'asset/source' },
      ],
    },
    plugins: [
      new rspack.DefinePlugin({
        process: { cwd: () => '/', env: {} },
      }),
      new rspack.CssExtractRspackPlugin({ filename: '[name].[contenthash:8].css' }),
    ],
  },
  ...THEMES.map((name) => ({
    entry: { index: require.resolve(`${name}/style/theme.css`) },
    output: { path: path.join(output, 'themes', name), filename: '[name].js' },
    mode: 'production',
    bail: true,
    module: { rules: [cssRule, svgInCss, fonts] },
    plugins: [new rspack.CssExtractRspackPlugin({ filename: '[name].css' })],
  })),
];
