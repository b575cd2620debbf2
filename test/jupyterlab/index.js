// The JupyterLab front end Tempo's browser tests drive: JupyterLab's own application and plugin
// packages, assembled as a `jupyter lab` build would. The plugin lists come from package.json's
// `jupyterlab` field (rspack.config.js writes them to build/plugins.js), so the build and the
// assets agree.
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { extensions, mimeExtensions as mimeExtensionModules } from './build/plugins.js';

// Assets (fonts, images) load relative to where the server serves this bundle.
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption('fullStaticUrl') + '/';

/** A plugin module's plugins: its default export, one plugin or a list. */
function pluginsOf(module) {
  const exported = Object.prototype.hasOwnProperty.call(module, '__esModule') ? module.default : module;
  return Array.isArray(exported) ? exported : [exported];
}

/** The language-server plugins need a server extension Debian's jupyter_server does not have. */
const withoutLanguageServer = (plugins) => plugins.filter(({ id }) => !id.includes('language-server'));

async function main() {
  await import('./build/style.js');
  const mimeExtensions = (await Promise.all(mimeExtensionModules())).map(pluginsOf).flat();
  const lab = new JupyterLab({ mimeExtensions });
  lab.registerPlugins(withoutLanguageServer((await Promise.all(extensions())).map(pluginsOf).flat()));
  await lab.start();
  await lab.restored;
  // Tests wait for this rather than for a guess at when the UI is ready.
  document.body.dataset.tempoLabReady = 'true';
}

window.addEventListener('load', () => void main());
