'use strict';
// examples/new-dossier-to-data-table.json under `n8n start`. As a user would: create the Data Table
// with the README's columns and pick it in "Add to the table" (here through the editor's REST API;
// the poll interval is also brought down to one minute so the check does not wait five), publish, then
// a usager deposits a dossier on the platform. Its row must reach the table with what the platform
// stores for it.

const { sandboxControl, isFinished, triggerItems, waitFor } = require('../lib/checks');
const { storedDossier, champValue } = require('./helpers');

const COLUMNS = [
	['numero', 'number'],
	['depose_le', 'string'],
	['groupe', 'string'],
	['email_usager', 'string'],
	['nom_du_projet', 'string'],
	['type_aide', 'string'],
	['montant_demande', 'number'],
	['statuts_joints', 'boolean'],
];

async function rest(n8n, method, path, body) {
	const r = await n8n.rest(method, path, body);
	if (r.status !== 200)
		throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
	return r.body.data;
}

module.exports = async ({ assert, n8n, platform, workflow }) => {
	const project = await rest(n8n, 'GET', '/rest/projects/personal');
	const table = await rest(n8n, 'POST', `/rest/projects/${project.id}/data-tables`, {
		name: `Nouveaux dossiers ${Date.now()}`,
		columns: COLUMNS.map(([name, type]) => ({ name, type })),
	});

	const stored = await rest(n8n, 'GET', `/rest/workflows/${workflow.id}`);
	const nodes = stored.nodes.map((node) => {
		if (node.name === 'Add to the table')
			return {
				...node,
				parameters: {
					...node.parameters,
					dataTableId: { __rl: true, mode: 'id', value: table.id },
				},
			};
		if (node.name === 'New dossier deposited')
			return {
				...node,
				parameters: { ...node.parameters, pollTimes: { item: [{ mode: 'everyMinute' }] } },
			};
		return node;
	});
	await rest(n8n, 'POST', `/rest/workflows/${workflow.id}/deactivate`, {});
	const saved = await rest(n8n, 'PATCH', `/rest/workflows/${workflow.id}`, {
		nodes,
		versionId: stored.versionId,
	});
	// activation runs the trigger's first poll, which sets its starting point ("now")
	await rest(n8n, 'POST', `/rest/workflows/${workflow.id}/activate`, {
		versionId: saved.versionId,
	});

	const deposited = await sandboxControl(platform, 'POST', '/act/deposit', {
		demarche: platform.facts.demarches.subvention,
	});
	const carriesIt = (e) =>
		isFinished(e) &&
		triggerItems(e, 'New dossier deposited').some((item) => item.number === deposited.number);
	const executions = await n8n.waitForExecutions(workflow.id, (list) => list.some(carriesIt), {
		timeoutMs: 150000,
		what: `an execution carrying dossier ${deposited.number}`,
	});
	const execution = executions.find(carriesIt);
	assert.equal(execution.status, 'success', `execution ${execution.id} status`);

	const rows = await waitFor('the row in the data table', async () => {
		const page = await rest(
			n8n,
			'GET',
			`/rest/projects/${project.id}/data-tables/${table.id}/rows?take=100`,
		);
		const found = page.data.filter((r) => r.numero === deposited.number);
		return found.length ? found : null;
	});
	assert.equal(rows.length, 1, `one row for dossier ${deposited.number}`);
	const [row] = rows;
	const onPlatform = await storedDossier(platform, deposited.number);
	assert.equal(Date.parse(row.depose_le), Date.parse(onPlatform.dateDepot), 'deposit date');
	assert.equal(row.nom_du_projet, champValue(onPlatform, 'Nom du projet'), 'project name');
	assert.equal(
		row.montant_demande,
		Number(champValue(onPlatform, 'Montant demandé (€)')),
		'amount',
	);
	assert.equal(
		row.statuts_joints,
		champValue(onPlatform, 'Statuts de l’association') !== null,
		'whether the statuts are attached',
	);
};
