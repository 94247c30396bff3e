#!/usr/bin/env node
'use strict';
// `npm start`: a working n8n with this package, on a fresh clone, without a platform token.
// Builds the package, starts the sandbox with demo data (127.0.0.1:8787, files on 8788), installs
// the pinned n8n if missing (several minutes the first time, cached afterwards), installs the
// package, a credential pointing at the sandbox and the example workflows, creates the owner
// account and serves n8n on http://127.0.0.1:5678. Ctrl-C stops everything.
//
// Options: --fresh (forget the demo's n8n data: workflows, executions, owner), --version=<n8n version>.
// Env: N8N_DEMO_PORT (5678), SANDBOX_PORT (8787), SANDBOX_STORAGE_PORT (8788).

const { startDemo } = require('../e2e/lib/demo');

function option(name) {
	const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (!arg) return undefined;
	return arg.includes('=') ? arg.split('=').slice(1).join('=') : true;
}

async function main() {
	const demo = await startDemo({
		fresh: !!option('fresh'),
		...(option('version') ? { version: option('version') } : {}),
		n8nPort: Number(process.env.N8N_DEMO_PORT || 5678),
		sandboxPort: Number(process.env.SANDBOX_PORT || 8787),
		storagePort: Number(process.env.SANDBOX_STORAGE_PORT || 8788),
	});
	let stopping = false;
	const shutdown = async () => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the sandbox…');
		await demo.stop();
		process.exit(0);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	process.on('SIGHUP', shutdown);
	demo.n8n.server.exited.then(async (e) => {
		if (stopping) return;
		console.error(
			`n8n stopped unexpectedly (${JSON.stringify(e)}); see ${demo.n8n.logDir}/server.log`,
		);
		await demo.platform.stop();
		process.exit(1);
	});

	const names =
		demo.workflows.map((w) => `    - ${w.workflow.name}`).join('\n') || '    (none yet)';
	console.log(`
================================================================================
 n8n ${demo.n8n.version} with n8n-nodes-demarche-numerique is ready

   Open        ${demo.url}
   E-mail      ${demo.owner.email}
   Password    ${demo.owner.password}

 A credential "Démarche Numérique (sandbox demo)" points at the local sandbox
 (${demo.platform.url}, ${demo.platform.kind === 'sandbox' ? 'demo data, no real token needed' : 'STUB: sandbox/ not available'}).
 Example workflows (open one, then "Execute workflow"):
${names}

 The examples are imported again at each start (duplicate one to keep your changes);
 "npm start -- --fresh" forgets everything else too (workflows, executions, owner).

 n8n logs: ${demo.n8n.logDir}/server.log
 Press Ctrl-C to stop everything.
================================================================================
`);
}

main().catch((e) => {
	console.error(`npm start failed: ${e.message}`);
	process.exit(1);
});
