'use strict';
/**
 * The polling trigger's Start Date is read the way the user means it: n8n's date picker gives a
 * time without a zone, read in the workflow's time zone (issue 14 item 8).
 */
const { startSandbox } = require('../../sandbox');
const { ActivePoller, jsonOf } = require('../helpers/engine');
const { credentialsFor, gql, triggerNode } = require('./trigger-support');

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 200 });
});
afterAll(async () => {
	await sb?.stop();
});

/** The wall clock of an instant in Paris, without a zone, as the date picker gives it. */
function parisWallClock(iso) {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
			.formatToParts(new Date(iso))
			.map((p) => [p.type, p.value]),
	);
	return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

it('a start date without a zone, in a workflow set to Europe/Paris, starts at that Paris time', async () => {
	const data = await gql(sb, '{ demarche(number: 1005) { dossiers(first: 100) { nodes { number dateDepot } } } }');
	// A dossier deposited in the middle of the démarche's history: the origin is its deposit.
	const nodes = data.demarche.dossiers.nodes;
	const first = nodes[Math.floor(nodes.length / 2)];
	const expected = nodes.filter((n) => Date.parse(n.dateDepot) >= Date.parse(first.dateDepot)).map((n) => n.number);
	const poller = new ActivePoller({
		node: triggerNode(1005, { event: 'dossierDeposited', startFrom: 'date', startDate: parisWallClock(first.dateDepot) }),
		credentials: credentialsFor(sb),
		settings: { timezone: 'Europe/Paris' },
	});
	const emitted = jsonOf((await poller.poll()).items).map((item) => item.number);
	// Read as UTC, the origin would be one or two hours later and miss the first dossier.
	expect(emitted[0]).toBe(first.number);
	expect(emitted).toEqual(expected);
});
