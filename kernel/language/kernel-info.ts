import { PROTOCOL_VERSION, type KernelInfoReply } from '../protocol/messages';

const { version } = require('../../package.json') as { version: string };

/** The TypeScript syntax cells may use: what oxc-transform 0.158 parses. */
const TYPESCRIPT_VERSION = '5.9';

/** messaging spec: kernel info (codemirror_mode as a plain string, as JupyterLab matches it). */
export function kernelInfo(): KernelInfoReply {
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'tempo',
    implementation_version: version,
    language_info: {
      name: 'typescript',
      version: TYPESCRIPT_VERSION,
      mimetype: 'text/typescript',
      file_extension: '.ts',
      pygments_lexer: 'typescript',
      codemirror_mode: 'typescript',
      nbconvert_exporter: 'script',
    },
    banner: `Tempo ${version}: TypeScript on Node.js ${process.version}, with top-level await`,
    help_links: [
      { text: 'TypeScript Handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
      { text: 'Node.js API', url: 'https://nodejs.org/api/' },
      { text: 'MDN: async/await', url: 'https://developer.mozilla.org/en-US/docs/Learn_web_development/Extensions/Async_JS' },
    ],
    supported_features: [],
    debugger: false,
  };
}
