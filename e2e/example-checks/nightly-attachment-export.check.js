'use strict';
// examples/nightly-attachment-export.json under `n8n start`. The schedule is brought down to every
// minute and the archive's path to a folder of this run (under ~/.n8n-files, where n8n 2.x lets nodes
// write); the rest runs as imported. A usager deposits a dossier and the platform gets a message with a
// file of ours: at the next run the archive written to disk must hold that file, under the dossier's
// number, byte for byte, and only files of dossiers updated in the last 24 hours.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { sandboxControl, isFinished, waitFor } = require('../lib/checks');
const { unzip, storedDossier } = require('./helpers');

async function rest(n8n, method, urlPath, body) {
	const r = await n8n.rest(method, urlPath, body);
	if (r.status !== 200)
		throw new Error(
			`${method} ${urlPath}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`,
		);
	return r.body.data;
}

module.exports = async ({ assert, n8n, platform, workflow, version }) => {
	const folder = path.join(os.homedir(), '.n8n-files', `e2e-export-${version}-${process.pid}`);
	fs.rmSync(folder, { recursive: true, force: true });
	fs.mkdirSync(folder, { recursive: true }); // the node writes into an existing folder, as the README says
	try {
		const stored = await rest(n8n, 'GET', `/rest/workflows/${workflow.id}`);
		const nodes = stored.nodes.map((node) => {
			if (node.name === 'Every night at 2')
				return {
					...node,
					parameters: { rule: { interval: [{ field: 'minutes', minutesInterval: 1 }] } },
				};
			if (node.name === 'Save to disk')
				return {
					...node,
					parameters: { ...node.parameters, fileName: `${folder}/pieces-jointes.zip` },
				};
			return node;
		});
		await rest(n8n, 'POST', `/rest/workflows/${workflow.id}/deactivate`, {});
		const saved = await rest(n8n, 'PATCH', `/rest/workflows/${workflow.id}`, {
			nodes,
			versionId: stored.versionId,
		});

		const deposited = await sandboxControl(platform, 'POST', '/act/deposit', {
			demarche: platform.facts.demarches.subvention,
		});
		const bytes = Buffer.from(`%PDF-1.4\n% plan du projet, dossier ${deposited.number}\n`);
		await sandboxControl(platform, 'POST', '/act/message', {
			number: deposited.number,
			body: 'Voici le plan du projet.',
			attachment: {
				filename: 'plan.pdf',
				contentType: 'application/pdf',
				contentBase64: bytes.toString('base64'),
			},
		});
		const activatedAt = Date.now();
		await rest(n8n, 'POST', `/rest/workflows/${workflow.id}/activate`, {
			versionId: saved.versionId,
		});

		const executions = await n8n.waitForExecutions(
			workflow.id,
			(list) => list.some((e) => isFinished(e) && Date.parse(e.startedAt) >= activatedAt),
			{ timeoutMs: 150000, what: 'a scheduled run' },
		);
		const run = executions.find((e) => isFinished(e) && Date.parse(e.startedAt) >= activatedAt);
		const failure = run.data && run.data.resultData && run.data.resultData.error;
		assert.equal(
			run.status,
			'success',
			`execution ${run.id} status${failure ? `: ${failure.message} (${failure.node && failure.node.name})` : ''}`,
		);

		const archive = path.join(folder, 'pieces-jointes.zip');
		await waitFor('the archive on disk', () => fs.existsSync(archive), { timeoutMs: 10000 });
		const entries = unzip(fs.readFileSync(archive));
		const ours = entries.find((e) => e.name === `${deposited.number}-plan.pdf`);
		assert.ok(
			ours,
			`the archive has ${deposited.number}-plan.pdf (has ${entries.map((e) => e.name).join(', ')})`,
		);
		assert.equal(
			crypto.createHash('md5').update(ours.bytes).digest('hex'),
			crypto.createHash('md5').update(bytes).digest('hex'),
			'the file as the usager received it',
		);
		const dayAgo = Date.now() - 24 * 3600 * 1000 - 5 * 60 * 1000;
		for (const number of new Set(entries.map((e) => Number(e.name.split('-')[0])))) {
			const dossier = await storedDossier(platform, number);
			assert.ok(
				Date.parse(dossier.dateDerniereModification) >= dayAgo,
				`dossier ${number} in the archive was updated in the last 24 hours`,
			);
		}
	} finally {
		fs.rmSync(folder, { recursive: true, force: true });
	}
};
