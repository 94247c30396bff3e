#!/usr/bin/env node
'use strict';
// `npm start`: a working n8n with this package, on a fresh clone, without a platform token.
// Builds the package, starts the sandbox with demo data (127.0.0.1:8787, files on 8788), installs
// the pinned n8n if missing (several minutes the first time, cached afterwards), installs the
// package, a credential pointing at the sandbox and the example workflows, creates the owner
// account and serves n8n on http://127.0.0.1:5678. Ctrl-C stops everything.
//
// Options: --fresh (forget the demo's n8n data: workflows, executions, owner), --version=<n8n version>,
// --queue (n8n's queue mode: PostgreSQL, Redis, main + 2 workers + webhook processor, see README
// "Production and queue mode"), --check (CI: once ready, check /healthz answers 200 on every n8n
// process, stop everything and exit 0; non-zero otherwise).
// Env: N8N_DEMO_PORT (5678; with --queue the webhook processor takes N8N_DEMO_PORT + 2),
// SANDBOX_PORT (8787), SANDBOX_STORAGE_PORT (8788).

const { startDemo, startQueueDemo } = require('../e2e/lib/demo');

function option(name) {
	const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (!arg) return undefined;
	return arg.includes('=') ? arg.split('=').slice(1).join('=') : true;
}

/** The n8n processes a demo runs: [{name, url (health), daemon, logFile}]. */
function processesOf(demo) {
	if (!demo.cluster) {
		return [
			{
				name: 'n8n',
				health: `${demo.url}/healthz`,
				daemon: demo.n8n.server,
				logFile: `${demo.n8n.logDir}/server.log`,
			},
		];
	}
	return demo.cluster.roles.map((r) => ({
		name: r.name,
		health: r.readyUrl.replace(/\/(rest\/settings|healthz\/readiness)$/, '/healthz'),
		daemon: r.daemon,
		logFile: r.logFile,
	}));
}

async function main() {
	const queue = !!option('queue');
	const options = {
		fresh: !!option('fresh'),
		...(option('version') ? { version: option('version') } : {}),
		n8nPort: Number(process.env.N8N_DEMO_PORT || 5678),
		sandboxPort: Number(process.env.SANDBOX_PORT || 8787),
		storagePort: Number(process.env.SANDBOX_STORAGE_PORT || 8788),
	};
	const demo = queue ? await startQueueDemo(options) : await startDemo(options);
	const processes = processesOf(demo);
	let stopping = false;
	const shutdown = async () => {
		if (stopping) return;
		stopping = true;
		console.log(`\nStopping n8n${queue ? ', PostgreSQL, Redis' : ''} and the sandbox…`);
		await demo.stop();
		process.exit(0);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	process.on('SIGHUP', shutdown);
	for (const p of processes) {
		p.daemon.exited.then(async (e) => {
			if (stopping) return;
			stopping = true;
			console.error(`n8n ${p.name} stopped unexpectedly (${JSON.stringify(e)}); see ${p.logFile}`);
			await demo.stop();
			process.exit(1);
		});
	}

	if (option('check')) {
		const answers = [];
		for (const p of processes) {
			const r = await fetch(p.health).catch((e) => ({ status: e.message }));
			answers.push({ ...p, status: r.status });
			console.log(`${p.name}: GET ${p.health} → ${r.status}`);
		}
		console.log(`n8n ${demo.n8n.version} ready at ${demo.url}`);
		stopping = true;
		const daemons = processes.map((p) => p.daemon);
		await demo.stop();
		const exits = await Promise.all(daemons.map((d) => d.exited));
		console.log(
			`stopped (${exits.map((e, i) => `${processes[i].name} exit ${e.code ?? e.signal}`).join(', ')})`,
		);
		process.exit(answers.every((a) => a.status === 200) ? 0 : 1);
	}

	const names =
		demo.workflows.map((w) => `    - ${w.workflow.name}`).join('\n') || '    (none yet)';
	const topology = queue
		? `
 Queue mode: PostgreSQL ${demo.cluster.pg.port}, Redis ${demo.cluster.redis.port}
   main (editor, triggers)         ${demo.cluster.main.instance.url}
   webhook processor (webhooks)    ${demo.cluster.webhook.instance.url}
   workers (every execution)       ${demo.cluster.workers.map((w) => w.name).join(', ')}
 Which worker ran an execution: "Worker started execution <id>" in its log.
`
		: '';
	const logs = processes.map((p) => `   ${p.name.padEnd(10)} ${p.logFile}`).join('\n');
	console.log(`
================================================================================
 n8n ${demo.n8n.version} with n8n-nodes-demarche-numerique is ready

   Open        ${demo.url}
   E-mail      ${demo.owner.email}
   Password    ${demo.owner.password}
${topology}
 A credential "Démarche Numérique (sandbox demo)" points at the local sandbox
 (${demo.platform.url}, ${demo.platform.kind === 'sandbox' ? 'demo data, no real token needed' : 'STUB: sandbox/ not available'}).
 Example workflows (open one, then "Execute workflow"):
${names}

 The examples are imported again at each start (duplicate one to keep your changes);
 "npm start -- ${queue ? '--queue ' : ''}--fresh" forgets everything else too (workflows, executions, owner).

 n8n logs:
${logs}
 Press Ctrl-C to stop everything.
================================================================================
`);
}

main().catch((e) => {
	console.error(`npm start failed: ${e.message}`);
	process.exit(1);
});
