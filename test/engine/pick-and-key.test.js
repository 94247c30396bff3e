'use strict';
/**
 * Issue 16 (items 2 to 5) in n8n's engine against the sandbox over HTTP: labels and groupes picked
 * from the lists the platform returns, Key By (label or stable champ ID) in Get, Get Many and both
 * triggers, Include as a multi-select (version 2) next to version 1's collection, one key for
 * deletions pending, and public démarche links (…/commencer/<path>). Expected values come from the
 * sandbox's GraphQL API (the oracle), not from the node's code.
 */
const { NODE_TYPES, ActivePoller, runWebhook, runWorkflow, jsonOf } = require('../helpers/engine');
const { runListSearch } = require('../helpers/engine-list-search');
const { startReadSandbox, gql, byId, byUrl } = require('./read-support');
const { act, credentialsFor, triggerNode } = require('./trigger-support');

let sb;
beforeAll(async () => {
	sb = await startReadSandbox({ size: 300 });
});
afterAll(async () => {
	await sb?.stop();
});

const NODE = 'Démarche Numérique';

/** Runs the action node at a given version (default: the latest). */
async function run(parameters, { typeVersion, continueOnFail } = {}) {
	const result = await runWorkflow({
		nodes: [{ type: NODE_TYPES.action, name: NODE, parameters, typeVersion, continueOnFail }],
		credentials: credentialsFor(sb),
	});
	return { json: result.error ? [] : jsonOf(result.items(NODE)), error: result.error };
}

/** Signed links change from one read to the next: compare everything else. */
function withoutUrls(value) {
	if (Array.isArray(value)) return value.map(withoutUrls);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value)
				.filter(([key]) => key !== 'url')
				.map(([key, inner]) => [key, withoutUrls(inner)]),
		);
	}
	return value;
}

// The platform reports a fallback type for a champ whose type the document has no fragment on:
// name the layout types so that they come back as themselves.
const CHAMP = '__typename label champDescriptorId ... on HeaderSectionChamp { id } ... on ExplicationChamp { id }';
const CHAMPS_ORACLE = `query Champs($n: Int!) { dossier(number: $n) {
  champs { ${CHAMP} ... on RepetitionChamp { rows { champs { ${CHAMP} } } } }
  annotations { ${CHAMP} ... on RepetitionChamp { rows { champs { ${CHAMP} } } } }
} }`;

/** Layout champs carry no value: the simplified dossier leaves them out (contract). */
const LAYOUT = new Set(['HeaderSectionChamp', 'ExplicationChamp']);
const valued = (champs) => champs.filter((champ) => !LAYOUT.has(champ.__typename));

/** The champ and annotation descriptor IDs of a dossier, in order, from the platform. */
async function descriptorIds(number) {
	const { dossier } = await gql(sb, CHAMPS_ORACLE, { n: number });
	return {
		champs: valued(dossier.champs).map((champ) => champ.champDescriptorId),
		annotations: valued(dossier.annotations).map((champ) => champ.champDescriptorId),
		raw: dossier,
	};
}

async function firstDossiers(demarche, count) {
	const data = await gql(sb, `query($d: Int!, $n: Int!) { demarche(number: $d) { dossiers(first: $n) { nodes { number } } } }`, {
		d: demarche,
		n: count,
	});
	return data.demarche.dossiers.nodes.map((node) => node.number);
}

async function labelsOfDemarche(demarche) {
	return (await gql(sb, 'query($d: Int!) { demarche(number: $d) { labels { id name } } }', { d: demarche })).demarche.labels;
}

async function labelsOfDossier(number) {
	return (await gql(sb, 'query($n: Int!) { dossier(number: $n) { labels { name } } }', { n: number })).dossier.labels.map((l) => l.name);
}

describe('lists the platform returns (item 2)', () => {
	it('lists the labels of the dossier\'s démarche by name, each with its ID', async () => {
		const [number] = await firstDossiers(1002, 1);
		const labels = await labelsOfDemarche(1002);
		expect(labels.length).toBeGreaterThan(1);
		const parameters = { resource: 'dossier', operation: 'addLabel', dossier: byId(number) };
		const all = await runListSearch({ type: NODE_TYPES.action, parameters, method: 'searchLabels', credentials: credentialsFor(sb) });
		expect(all.results).toEqual(labels.map((label) => ({ name: label.name, value: label.id })));
		const urgent = await runListSearch({
			type: NODE_TYPES.action,
			parameters,
			method: 'searchLabels',
			filter: 'urg',
			credentials: credentialsFor(sb),
		});
		expect(urgent.results.map((r) => r.name)).toEqual(labels.filter((l) => /urg/i.test(l.name)).map((l) => l.name));
	});

	it('lists the groupes of the démarche by name for the polling trigger\'s groupe filter', async () => {
		const { demarche } = await gql(sb, '{ demarche(number: 1002) { groupeInstructeurs { number label } } }');
		expect(demarche.groupeInstructeurs.length).toBeGreaterThan(1);
		const { results } = await runListSearch({
			type: NODE_TYPES.trigger,
			parameters: { demarche: byId(1002), event: 'dossierDeposited', options: { groupeInstructeur: { __rl: true, mode: 'list', value: '' } } },
			method: 'searchGroupeInstructeurs',
			path: 'parameters.options.groupeInstructeur',
			credentials: credentialsFor(sb),
		});
		expect(results.map((r) => r.value)).toEqual(demarche.groupeInstructeurs.map((g) => String(g.number)));
		results.forEach((result, i) => expect(result.name).toContain(demarche.groupeInstructeurs[i].label));
	});

	it('adds a label picked from the list (its ID), removes one given by name; version 1\'s plain text still works', async () => {
		const [first, second] = await firstDossiers(1002, 2);
		const labels = await labelsOfDemarche(1002);
		const target = labels.find((l) => !l.name.startsWith('Urgent')) ?? labels[0];
		for (const number of [first, second]) {
			// start clean: whatever the seed put there
			for (const name of await labelsOfDossier(number)) {
				await run({ resource: 'dossier', operation: 'removeLabel', dossier: byId(number), label: { __rl: true, mode: 'name', value: name } });
			}
		}
		const added = await run({
			resource: 'dossier',
			operation: 'addLabel',
			dossier: byId(first),
			label: { __rl: true, mode: 'list', value: target.id, cachedResultName: target.name },
		});
		expect(added.error).toBeUndefined();
		expect(await labelsOfDossier(first)).toEqual([target.name]);
		const removed = await run({
			resource: 'dossier',
			operation: 'removeLabel',
			dossier: byId(first),
			label: { __rl: true, mode: 'name', value: target.name.toUpperCase() },
		});
		expect(removed.error).toBeUndefined();
		expect(await labelsOfDossier(first)).toEqual([]);
		// A workflow saved with version 1: the label as plain text.
		const v1 = await run({ resource: 'dossier', operation: 'addLabel', dossier: byId(second), label: target.name }, { typeVersion: 1 });
		expect(v1.error).toBeUndefined();
		expect(await labelsOfDossier(second)).toEqual([target.name]);
	});

	it('refuses a name given in the "By ID" mode, saying how to fix it', async () => {
		const [number] = await firstDossiers(1002, 1);
		const { json, error } = await run(
			{ resource: 'dossier', operation: 'addLabel', dossier: byId(number), label: { __rl: true, mode: 'id', value: 'Urgent' } },
			{ continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(json[0].error).toBe('"Urgent" is not a label ID');
		expect(json[0].description).toMatch(/By Name/);
	});
});

describe('Key By stable champ ID (item 3)', () => {
	it('Get keys champs, annotations and repetition rows by descriptor ID, with the same values as by label', async () => {
		const base = { resource: 'dossier', operation: 'get', dossier: byId(10001) };
		const byLabel = (await run({ ...base, keyBy: 'label' })).json[0];
		const byStableId = (await run({ ...base, keyBy: 'id' })).json[0];
		const ids = await descriptorIds(10001);
		expect(Object.keys(byStableId.champs)).toEqual(ids.champs);
		expect(Object.keys(byStableId.annotations)).toEqual(ids.annotations);
		// Same values in the same order; repetition rows compared by their values (their keys differ).
		const values = (list) =>
			Object.values(list).map((value) =>
				// URLs dropped first: a link signed a second later differs (file objects become value lists).
				Array.isArray(value)
					? withoutUrls(value).map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v))
					: withoutUrls(value),
			);
		expect(values(byStableId.champs)).toEqual(values(byLabel.champs));
		expect(values(byStableId.annotations)).toEqual(values(byLabel.annotations));
		// Repetitions: each row keyed by its champs' descriptor IDs, the same in every row.
		const repetitions = ids.raw.annotations.concat(ids.raw.champs).filter((c) => c.__typename === 'RepetitionChamp' && c.rows.length);
		expect(repetitions.length).toBeGreaterThan(0);
		for (const repetition of repetitions) {
			const where = ids.raw.champs.includes(repetition) ? 'champs' : 'annotations';
			const rows = byStableId[where][repetition.champDescriptorId];
			expect(rows).toHaveLength(repetition.rows.length);
			rows.forEach((row, i) => {
				expect(Object.keys(row)).toEqual(valued(repetition.rows[i].champs).map((c) => c.champDescriptorId));
			});
			const labelled = byLabel[where][repetition.label];
			expect(rows.map((row) => Object.values(withoutUrls(row)))).toEqual(labelled.map((row) => Object.values(withoutUrls(row))));
		}
		// Everything else is the same.
		const { champs: _c, annotations: _a, ...restById } = byStableId;
		const { champs: _c2, annotations: _a2, ...restByLabel } = byLabel;
		expect(withoutUrls(restById)).toEqual(withoutUrls(restByLabel));
	});

	it('Get Many keys every dossier\'s champs by the same descriptor IDs', async () => {
		const { json, error } = await run({
			resource: 'dossier',
			operation: 'getMany',
			demarche: byId(1002),
			limit: 4,
			keyBy: 'id',
		});
		expect(error).toBeUndefined();
		expect(json).toHaveLength(4);
		for (const dossier of json) {
			const ids = await descriptorIds(dossier.number);
			expect(Object.keys(dossier.champs)).toEqual(ids.champs);
			expect(Object.keys(dossier.annotations)).toEqual(ids.annotations);
		}
	});

	it('the polling trigger emits dossiers keyed by descriptor ID', async () => {
		const poller = new ActivePoller({
			node: triggerNode(1003, { event: 'dossierDeposited', keyBy: 'id' }),
			credentials: credentialsFor(sb),
		});
		expect((await poller.poll()).items).toBeNull();
		const deposited = await act(sb, 'deposit', { demarche: 1003 });
		const [item] = jsonOf((await poller.poll()).items);
		expect(item.number).toBe(deposited.number);
		const ids = await descriptorIds(deposited.number);
		expect(ids.champs.length).toBeGreaterThan(0);
		expect(Object.keys(item.champs)).toEqual(ids.champs);
		expect(Object.keys(item.annotations)).toEqual(ids.annotations);
	});

	it('the webhook trigger fetches the dossier keyed by descriptor ID', async () => {
		const { createHmac } = require('crypto');
		const [number] = await firstDossiers(1002, 1);
		const secret = createHmac('sha256', sb.tokens.admin).update('legacy-callback:1002').digest('hex').slice(0, 32);
		const result = await runWebhook({
			node: {
				type: NODE_TYPES.webhookTrigger,
				parameters: { demarche: byId(1002), mode: 'legacy', fetchDossier: true, keyBy: 'id' },
			},
			credentials: credentialsFor(sb),
			request: {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				rawBody: new URLSearchParams({ procedure_id: '1002', dossier_id: String(number), state: 'en_construction', updated_at: '2026-03-02 10:32:42 UTC' }).toString(),
				query: { secret },
			},
		});
		expect(result.responseStatus).toBe(200);
		const [item] = jsonOf(result.workflowData[0]);
		expect(item.number).toBe(number);
		const ids = await descriptorIds(number);
		expect(Object.keys(item.champs)).toEqual(ids.champs);
		expect(Object.keys(item.annotations)).toEqual(ids.annotations);
	});
});

describe('Include (item 4)', () => {
	/** Parts the contract names for each Include choice, as the simplified dossier shows them. */
	const PART_KEYS = {
		champs: ['champs'],
		annotations: ['annotations'],
		labels: ['labels'],
		instructeurs: ['instructeurs'],
		files: ['attestation', 'justificatif', 'pdf'],
		messages: ['messages'],
		avis: ['avis'],
		traitements: ['traitements'],
	};
	const partsShown = (dossier) =>
		Object.entries(PART_KEYS)
			.filter(([, keys]) => keys.every((key) => key in dossier))
			.map(([part]) => part)
			.sort();

	it('version 2\'s multi-select, left as shown, fetches the parts version 1\'s collection fetched by default', async () => {
		const base = { resource: 'dossier', operation: 'get', dossier: byId(10001) };
		const v2 = (await run(base)).json[0];
		const v1 = (await run({ ...base, include: {} }, { typeVersion: 1 })).json[0];
		expect(partsShown(v2)).toEqual(['annotations', 'champs', 'files', 'instructeurs', 'labels']);
		expect(partsShown(v1)).toEqual(partsShown(v2));
		expect(withoutUrls(v2)).toEqual(withoutUrls(v1));
	});

	it('fetches exactly the parts selected; version 1\'s switches still add to its defaults', async () => {
		const base = { resource: 'dossier', operation: 'get', dossier: byId(10001) };
		const v2 = (await run({ ...base, include: ['messages', 'traitements'] })).json[0];
		expect(partsShown(v2)).toEqual(['messages', 'traitements']);
		const v1 = (await run({ ...base, include: { messages: true, champs: false } }, { typeVersion: 1 })).json[0];
		expect(partsShown(v1)).toEqual(['annotations', 'files', 'instructeurs', 'labels', 'messages']);
	});
});

describe('Include of Démarche > Get (item 4)', () => {
	it('version 2 fetches every part by default, as version 1 did, and only the selected ones otherwise', async () => {
		const base = { resource: 'demarche', operation: 'get', demarche: byId(1002) };
		const v2 = (await run(base)).json[0];
		const v1 = (await run({ ...base, include: {} }, { typeVersion: 1 })).json[0];
		expect(v2).toEqual(v1);
		for (const key of ['groupeInstructeurs', 'labels', 'service', 'champDescriptors']) expect(v2).toHaveProperty(key);
		const oracle = await labelsOfDemarche(1002);
		const onlyLabels = (await run({ ...base, include: ['labels'] })).json[0];
		expect(onlyLabels.labels.map((l) => l.name)).toEqual(oracle.map((l) => l.name));
		for (const key of ['groupeInstructeurs', 'service', 'champDescriptors']) expect(onlyLabels).not.toHaveProperty(key);
	});
});

describe('names and keys (item 5)', () => {
	it('a deletion pending is `pendingDeletion` in Get Many Deleted and the trigger; version 1 of the trigger also keeps `pending`', async () => {
		const v2 = new ActivePoller({ node: triggerNode(1004, { event: 'dossierDeleted' }), credentials: credentialsFor(sb) });
		const v1 = new ActivePoller({
			node: { ...triggerNode(1004, { event: 'dossierDeleted' }), typeVersion: 1 },
			credentials: credentialsFor(sb),
		});
		expect((await v2.poll()).items).toBeNull();
		expect((await v1.poll()).items).toBeNull();
		const [a, b] = await firstDossiers(1004, 2);
		await act(sb, 'delete', { number: a, reason: 'user_request' });
		await act(sb, 'delete', { number: b, pending: true, reason: 'expired' });
		const fromV2 = jsonOf((await v2.poll()).items).sort((x, y) => x.number - y.number);
		const fromV1 = jsonOf((await v1.poll()).items).sort((x, y) => x.number - y.number);
		const expected = [a, b].sort((x, y) => x - y).map((n) => ({ number: n, pendingDeletion: n === b }));
		expect(fromV2.map((i) => ({ number: i.number, pendingDeletion: i.pendingDeletion }))).toEqual(expected);
		fromV2.forEach((item) => expect(item).not.toHaveProperty('pending'));
		expect(fromV1.map((i) => ({ number: i.number, pendingDeletion: i.pendingDeletion, pending: i.pending }))).toEqual(
			expected.map((e) => ({ ...e, pending: e.pendingDeletion })),
		);
		// Get Many Deleted gives the same record with the same keys.
		const listed = (await run({ resource: 'dossier', operation: 'getManyDeleted', demarche: byId(1004), returnAll: true })).json;
		for (const item of fromV2) {
			const same = listed.find((record) => record.number === item.number && record.pendingDeletion === item.pendingDeletion);
			expect(same).toEqual(item);
		}
	});

	it('a public link /commencer/<path> resolves to the démarche\'s number, in actions and in lists', async () => {
		const { demarcheDescriptor } = await gql(sb, '{ demarcheDescriptor(demarche: {number: 1002}) { title demarcheURL } }');
		expect(demarcheDescriptor.demarcheURL).toContain('/commencer/');
		const got = await run({ resource: 'demarche', operation: 'get', demarche: byUrl(demarcheDescriptor.demarcheURL) });
		expect(got.error).toBeUndefined();
		expect(got.json[0]).toMatchObject({ number: 1002, title: demarcheDescriptor.title });
		const viaLink = await run({ resource: 'dossier', operation: 'getMany', demarche: byUrl(demarcheDescriptor.demarcheURL), limit: 3, include: [] });
		expect(viaLink.json.map((d) => d.number)).toEqual(await firstDossiers(1002, 3));
		const groupes = await runListSearch({
			type: NODE_TYPES.action,
			parameters: { resource: 'dossier', operation: 'getMany', demarche: byUrl(demarcheDescriptor.demarcheURL), filters: {} },
			method: 'searchGroupeInstructeurs',
			credentials: credentialsFor(sb),
		});
		const { demarche } = await gql(sb, '{ demarche(number: 1002) { groupeInstructeurs { number } } }');
		expect(groupes.results.map((r) => r.value)).toEqual(demarche.groupeInstructeurs.map((g) => String(g.number)));
	});

	it('an unknown public link fails with an API error that says to use the number', async () => {
		const { json, error } = await run(
			{ resource: 'demarche', operation: 'get', demarche: byUrl(`${sb.url}/commencer/nulle-part`) },
			{ continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(json[0].error).toBe('No démarche found for the public link "…/commencer/nulle-part"');
		expect(json[0].description).toMatch(/procedures\/<number>/);
	});

	it('a start date that is no date stops the trigger with a NodeOperationError that says what to enter', async () => {
		const poller = new ActivePoller({
			node: triggerNode(1003, { event: 'dossierDeposited', startFrom: 'date', startDate: 'someday' }),
			credentials: credentialsFor(sb),
		});
		const error = await poller.poll().then(
			() => undefined,
			(caught) => caught,
		);
		expect(error?.constructor?.name).toBe('NodeOperationError');
		expect(error.message).toBe('Start Date "someday" is not a date');
		expect(error.description).toMatch(/ISO 8601/);
	});
});
