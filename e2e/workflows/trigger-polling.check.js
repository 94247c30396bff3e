'use strict';
// trigger-polling.json under `n8n start`: activation polls once and starts from "now"; a dossier
// deposited on the platform afterwards must reach the workflow at the next poll (every minute).

const { isFinished, waitFor, sandboxControl, triggerItems } = require('../lib/checks');

const TRIGGER_TYPE = 'n8n-nodes-demarche-numerique.demarcheNumeriqueTrigger';

module.exports = async ({ assert, n8n, platform, workflow }) => {
	// the first poll (at activation) must be over, or the new dossier would predate its "now": wait
	// for one poll request per active polling trigger (other workflows may poll other démarches)
	const active = await n8n.rest('GET', '/api/v1/workflows?active=true');
	const pollers = active.body.data.filter((w) =>
		w.nodes.some((n) => n.type === TRIGGER_TYPE),
	).length;
	assert.ok(pollers >= 1, 'this workflow is active');
	await waitFor(
		`the first poll of ${pollers} polling trigger(s)`,
		async () => {
			const requests = await sandboxControl(platform, 'GET', '/requests?token=admin');
			return requests.filter((r) => /^TriggerPoll/.test(r.operationName || '')).length >= pollers;
		},
		{ timeoutMs: 60000 },
	);

	const deposited = await sandboxControl(platform, 'POST', '/act/deposit', {
		demarche: platform.facts.demarches.transport,
	});
	const carriesIt = (e) =>
		isFinished(e) &&
		triggerItems(e, 'New dossier').some((item) => item.number === deposited.number);
	const executions = await n8n.waitForExecutions(workflow.id, (list) => list.some(carriesIt), {
		timeoutMs: 150000,
		what: `an execution carrying dossier ${deposited.number}`,
	});
	const execution = executions.find(carriesIt);
	assert.equal(execution.status, 'success', `execution ${execution.id} status`);
	const item = triggerItems(execution, 'New dossier').find((i) => i.number === deposited.number);
	assert.equal(
		item.demarche.number,
		platform.facts.demarches.transport,
		'the item is a simplified dossier of the démarche',
	);
	assert.equal(item.state, 'en_construction', 'a new dossier is en construction');
};
