'use strict';
/**
 * Lets plain Node require the package's TypeScript sources, compiled file by file with the
 * project's own compiler options (tsconfig.json: what `n8n-node build` emits), as ts-jest does for
 * the tests. The engine harness (test/helpers/engine.js) then loads the nodes exactly as in jest.
 */
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '../..');
const { config } = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: false, declaration: false, incremental: false };

if (!require.extensions['.ts']) {
	require.extensions['.ts'] = (module, filename) => {
		const source = fs.readFileSync(filename, 'utf8');
		const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
		module._compile(outputText, filename);
	};
}
