'use strict';
/**
 * A dossier whose dossier-link champ points into a démarche the token does not cover (seeded:
 * facts.hiddenLink, read with the scoped token). The platform answers the dossier whole, the
 * champ's `dossier` null, plus an `unauthorized` error at that champ's path (FIDELITY 2.01): Get,
 * Get Many and the webhook trigger's dossier fetch keep the dossier, give the linked number, warn.
 */
const { createHmac } = require('crypto');

const { NODE_TYPES, runWebhook, jsonOf } = require('../helpers/engine');
const { startReadSandbox, runNode, gql, byId, withoutLinkSignatures } = require('./read-support');

let sb;
let link;
beforeAll(async () => {
	sb = await startReadSandbox({ size: 300 });
	link = sb.facts.hiddenLink;
});
afterAll(async () => {
	await sb?.stop();
});

const scoped = () => ({ token: sb.tokens.scoped });
const warningAbout = (l) => expect.stringMatching(new RegExp(`"${l.champ}" links to dossier ${l.linkedDossier}, in a démarche this token cannot read`));

it('the platform answers the dossier with an unauthorized error at the champ (the oracle)', async () => {
	const response = await fetch(sb.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.scoped}` },
		body: JSON.stringify({ query: `{ dossier(number: ${link.dossier}) { number champs { label ... on DossierLinkChamp { dossier { number } } } } }` }),
	});
	const json = await response.json();
	expect(json.data.dossier.number).toBe(link.dossier);
	expect(json.errors.map((e) => e.extensions.code)).toEqual(['unauthorized']);
});

describe('dossier.get', () => {
	it('gives the dossier whole, the champ’s linked number, and a warning naming the champ', async () => {
		const { json, error } = await runNode(sb, { resource: 'dossier', operation: 'get', dossier: byId(link.dossier) }, scoped());
		expect(error).toBeUndefined();
		expect(json).toHaveLength(1);
		expect(json[0].number).toBe(link.dossier);
		expect(json[0].champs[link.champ]).toBe(link.linkedDossier);
		expect(json[0].warnings).toEqual([warningAbout(link)]);
		// Every other champ is there, as the admin token (which sees the linked démarche) reads it.
		const admin = (await runNode(sb, { resource: 'dossier', operation: 'get', dossier: byId(link.dossier) })).json[0];
		expect(admin.warnings).toBeUndefined();
		expect(withoutLinkSignatures(json[0].champs)).toEqual(withoutLinkSignatures(admin.champs));
	});

	it('without simplification: the raw champ (dossier null, stringValue the number) and the warning', async () => {
		const { json, error } = await runNode(sb, { resource: 'dossier', operation: 'get', dossier: byId(link.dossier), simplify: false }, scoped());
		expect(error).toBeUndefined();
		const champ = json[0].champs.find((c) => c.label === link.champ);
		expect(champ).toMatchObject({ __typename: 'DossierLinkChamp', dossier: null, stringValue: String(link.linkedDossier) });
		expect(json[0].warnings).toEqual([warningAbout(link)]);
	});
});

describe('dossier.getMany', () => {
	it('lists every dossier of the démarche, the one with the hidden link included and warned about, nothing lost', async () => {
		const oracle = await gql(sb, `{ demarche(number: ${link.demarche}) { dossiers { nodes { number } } } }`);
		const expected = oracle.demarche.dossiers.nodes.map((d) => d.number);
		const { json, error } = await runNode(sb, { resource: 'dossier', operation: 'getMany', demarche: byId(link.demarche), returnAll: true }, scoped());
		expect(error).toBeUndefined();
		expect(json.map((d) => d.number)).toEqual(expected);
		const linked = json.find((d) => d.number === link.dossier);
		expect(linked.champs[link.champ]).toBe(link.linkedDossier);
		expect(linked.warnings).toEqual([warningAbout(link)]);
		expect(json.filter((d) => d.warnings)).toHaveLength(1);
		expect(json.some((d) => d.error)).toBe(false);
	});
});

describe('the webhook trigger’s dossier fetch', () => {
	it('emits the dossier with the linked number and the warning', async () => {
		const secret = createHmac('sha256', sb.tokens.scoped).update(`legacy-callback:${link.demarche}`).digest('hex').slice(0, 32);
		const result = await runWebhook({
			node: { type: NODE_TYPES.webhookTrigger, parameters: { demarche: byId(link.demarche), mode: 'legacy', fetchDossier: true } },
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.scoped } },
			request: {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				rawBody: new URLSearchParams({
					procedure_id: String(link.demarche),
					dossier_id: String(link.dossier),
					state: 'en_construction',
					updated_at: '2026-03-02 10:32:42 UTC',
				}).toString(),
				query: { secret },
			},
		});
		expect(result.responseStatus).toBe(200);
		const [item] = jsonOf(result.workflowData[0]);
		expect(item.number).toBe(link.dossier);
		expect(item.champs[link.champ]).toBe(link.linkedDossier);
		expect(item.warnings).toEqual([warningAbout(link)]);
	});
});
