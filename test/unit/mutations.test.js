'use strict';
/**
 * The write operations with a fake n8n context: what they send (variables checked against the real
 * schema's input types), what they look up and how often, and what they do before any request.
 */
const { createHash } = require('crypto');
const { parse } = require('graphql');
const { getVariableValues } = require('graphql/execution/values');

const { loadRealSchema } = require('../helpers/schema');
const { ExecutionCache } = require('../../nodes/DemarcheNumerique/resolve/cache');
const { forgetCapabilities } = require('../helpers/capabilities');
const { operations: dossierOps } = require('../../nodes/DemarcheNumerique/actions/dossier');
const { operations: groupeOps } = require('../../nodes/DemarcheNumerique/actions/groupeInstructeur');
const { operations: demarcheOps } = require('../../nodes/DemarcheNumerique/actions/demarche');
const { mutationDocuments } = require('../helpers/documents');
const { b64, dossierContext, runOperation, TOKEN, writeContext } = require('./write-fakes');

const schema = loadRealSchema();
const AGENT_ID = 'SW5zdHJ1Y3RldXItMQ==';
const dossier = (n) => ({ mode: 'id', value: String(n) });
const byEmail = { mode: 'email', value: 'Agent@Example.gouv.fr' };

/** The variables of a recorded request, coerced by the real schema: any input mismatch fails here. */
function expectValidVariables(request) {
	if (!schema) return;
	const operation = parse(request.query).definitions.find((def) => def.kind === 'OperationDefinition');
	const { errors } = getVariableValues(schema, operation.variableDefinitions || [], request.variables || {});
	expect({ operation: request.operationName, errors: (errors || []).map((e) => e.message) }).toEqual({
		operation: request.operationName,
		errors: [],
	});
}

const payload = (field, body) => () => ({ data: { [field]: { errors: null, ...body } } });
const mutatedDossier = (number, extra = {}) => ({ dossier: { id: b64(`Dossier-${number}`), number, state: 'accepte', ...extra } });

beforeEach(() => forgetCapabilities());

describe('documents', () => {
	it('names each mutation document after its payload field', () => {
		for (const document of mutationDocuments().filter((d) => d.mutationField)) {
			const operation = parse(document.query).definitions[0];
			expect(operation.operation).toBe('mutation');
			expect(operation.selectionSet.selections[0].name.value).toBe(document.mutationField);
		}
	});
});

describe('state changes', () => {
	it('refuse without a motivation fails before any request', async () => {
		const { ctx, requests, httpRequests } = writeContext({
			items: [{ dossier: dossier(10001), instructeur: byEmail, motivation: '   ', options: {} }],
		});
		await expect(runOperation(dossierOps.refuse, ctx)).rejects.toThrow('A motivation is required for this decision');
		expect(requests).toHaveLength(0);
		expect(httpRequests).toHaveLength(0);
	});

	it('classer sans suite without a motivation fails before any upload', async () => {
		const { ctx, requests, httpRequests } = writeContext({
			items: [{ dossier: dossier(10001), instructeur: byEmail, motivation: '', options: { justificatifBinaryProperty: 'data' } }],
			binaries: [{ data: { data: Buffer.from('x'), fileName: 'x.pdf', mimeType: 'application/pdf' } }],
		});
		await expect(runOperation(dossierOps.classerSansSuite, ctx)).rejects.toThrow(/motivation is required/);
		expect(requests.length + httpRequests.length).toBe(0);
	});

	it('accept resolves an e-mail once per execution and sends the instructeur ID, motivation and disableNotification', async () => {
		const { ctx, requests } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				DossierAccepter: ({ input }) => payload('dossierAccepter', mutatedDossier(Number(Buffer.from(input.dossierId, 'base64').toString().split('-')[1])))(),
			},
			items: [
				{ dossier: dossier(10001), instructeur: byEmail, motivation: 'Dossier complet', options: { disableNotification: true } },
				{ dossier: { mode: 'url', value: 'https://dn.example.fr/procedures/1001/dossiers/10002' }, instructeur: byEmail, motivation: '', options: {} },
			],
		});
		const out = await runOperation(dossierOps.accept, ctx);
		expect(out.map((json) => json.number)).toEqual([10001, 10002]);
		expect(requests.map((r) => r.operationName)).toEqual(['GetDossierContext', 'DossierAccepter', 'DossierAccepter']);
		expect(requests[1].variables.input).toEqual({
			dossierId: b64('Dossier-10001'),
			instructeurId: AGENT_ID,
			disableNotification: true,
			motivation: 'Dossier complet',
		});
		expect(requests[2].variables.input).toEqual({ dossierId: b64('Dossier-10002'), instructeurId: AGENT_ID, disableNotification: false });
		requests.forEach(expectValidVariables);
	});

	it('an instructeur ID needs no lookup', async () => {
		const { ctx, requests } = writeContext({
			graphql: { DossierPasserEnInstruction: payload('dossierPasserEnInstruction', mutatedDossier(10003)) },
			items: [{ dossier: dossier(10003), instructeur: { mode: 'id', value: AGENT_ID }, options: {} }],
		});
		await runOperation(dossierOps.passerEnInstruction, ctx);
		expect(requests.map((r) => r.operationName)).toEqual(['DossierPasserEnInstruction']);
	});

	it('an e-mail without access to the dossier is a clear error naming where that person is instructeur', async () => {
		const { ctx, requests } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				GetDemarcheGroupeInstructeurs: () => ({
					data: { demarche: { id: 'x', number: 1001, groupeInstructeurs: [{ id: 'g', number: 502, label: 'Sud', closed: false, instructeurs: [{ id: 'SW5zdHJ1Y3RldXItOQ==', email: 'sud@example.gouv.fr' }] }] } },
				}),
			},
			items: [{ dossier: dossier(10001), instructeur: { mode: 'email', value: 'sud@example.gouv.fr' }, options: {} }],
		});
		const error = await runOperation(dossierOps.repasserEnInstruction, ctx).catch((e) => e);
		expect(error.message).toBe('The instructeur sud@example.gouv.fr has no access to dossier 10001');
		expect(error.description).toMatch(/instructeur of "Sud" \(n° 502\).*groupe instructeur "Nord" \(n° 501\)/);
		expect(requests.map((r) => r.operationName)).not.toContain('DossierRepasserEnInstruction');
	});

	const wrongState = (message) => () => ({ data: { dossierAccepter: { errors: [{ message }], dossier: null } } });

	it('"already in target state" succeeds only when the dossier really is in the target state', async () => {
		const items = [{ dossier: dossier(10001), instructeur: { mode: 'id', value: AGENT_ID }, options: { succeedIfAlreadyInTargetState: true } }];
		const accepted = writeContext({
			graphql: {
				DossierAccepter: wrongState('Le dossier est déjà accepté'),
				GetDossierStateAndAnnotations: () => ({ data: { dossier: { id: b64('Dossier-10001'), number: 10001, state: 'accepte' } } }),
			},
			items,
		});
		expect(await runOperation(dossierOps.accept, accepted.ctx)).toEqual([
			{ id: b64('Dossier-10001'), number: 10001, state: 'accepte', alreadyInTargetState: true },
		]);

		const enConstruction = writeContext({
			graphql: {
				DossierAccepter: wrongState('Le dossier est déjà en construction'),
				GetDossierStateAndAnnotations: () => ({ data: { dossier: { id: b64('Dossier-10001'), number: 10001, state: 'en_construction' } } }),
			},
			items,
		});
		const error = await runOperation(dossierOps.accept, enConstruction.ctx).catch((e) => e);
		expect(error.message).toBe('Démarche Numérique refused dossierAccepter: Le dossier est déjà en construction');
		expect(error.description).toMatch(/not in a state that allows this change/);
	});

	it('without the option, the French wrong-state message is the error, with an English fix', async () => {
		const { ctx, requests } = writeContext({
			graphql: { DossierAccepter: wrongState('Le dossier est déjà accepté') },
			items: [{ dossier: dossier(10001), instructeur: { mode: 'id', value: AGENT_ID }, options: {} }],
		});
		const error = await runOperation(dossierOps.accept, ctx).catch((e) => e);
		expect(error.message).toMatch(/Le dossier est déjà accepté/);
		expect(error.description).toMatch(/Succeed If Already In Target State/);
		expect(requests).toHaveLength(1);
	});
});

describe('uploads (justificatif, attachment)', () => {
	const bytes = Buffer.from('%PDF-1.7 décision signée\n', 'utf8');
	const md5 = createHash('md5').update(bytes).digest('base64');

	function uploadContext(items, storageStatus = 200, accepter = payload('dossierAccepter', mutatedDossier(10001))) {
		return writeContext({
			graphql: {
				CreateDirectUpload: () => ({
					data: {
						createDirectUpload: {
							directUpload: {
								url: 'https://storage.example.net/upload/abc?sig=1',
								headers: JSON.stringify({ 'Content-Type': 'application/pdf', 'Content-MD5': md5 }),
								blobId: '77',
								signedBlobId: 'signed-77',
							},
						},
					},
				}),
				DossierAccepter: accepter,
				DossierEnvoyerMessage: ({ input }) =>
					payload('dossierEnvoyerMessage', { message: { id: 'm1', body: 'Bonjour', correction: input.correction ? { reason: input.correction } : null } })(),
			},
			http: async () => ({ statusCode: storageStatus, headers: {}, body: storageStatus === 200 ? '' : 'SignatureDoesNotMatch' }),
			items,
			binaries: [{ decision: { data: bytes, fileName: 'décision.pdf', mimeType: 'application/pdf' } }],
		});
	}

	it('declares the file with its base64 MD5, PUTs the bytes with exactly the returned headers and no token, then passes the signed blob ID', async () => {
		const { ctx, requests, httpRequests } = uploadContext([
			{ dossier: dossier(10001), instructeur: { mode: 'id', value: AGENT_ID }, motivation: 'ok', options: { justificatifBinaryProperty: 'decision' } },
		]);
		const [json] = await runOperation(dossierOps.accept, ctx);
		expect(requests.map((r) => r.operationName)).toEqual(['CreateDirectUpload', 'DossierAccepter']);
		expect(requests[0].variables.input).toEqual({
			dossierId: b64('Dossier-10001'),
			filename: 'décision.pdf',
			contentType: 'application/pdf',
			byteSize: bytes.length,
			checksum: md5,
		});
		expect(httpRequests).toHaveLength(1);
		expect(httpRequests[0].method).toBe('PUT');
		expect(httpRequests[0].url).toBe('https://storage.example.net/upload/abc?sig=1');
		expect(httpRequests[0].headers).toEqual({ 'Content-Type': 'application/pdf', 'Content-MD5': md5 });
		expect(Buffer.compare(httpRequests[0].body, bytes)).toBe(0);
		expect(JSON.stringify(httpRequests[0])).not.toContain(TOKEN);
		expect(requests[1].variables.input.justificatif).toBe('signed-77');
		expect(json.justificatif).toEqual({ filename: 'décision.pdf', byteSize: bytes.length, checksum: md5 });
		expect(json.alreadyInTargetState).toBeUndefined();
		requests.forEach(expectValidVariables);
	});

	it('a message attachment and a correction request ride on dossierEnvoyerMessage', async () => {
		const { ctx, requests } = uploadContext([
			{ dossier: dossier(10001), instructeur: { mode: 'id', value: AGENT_ID }, body: 'Merci de compléter', options: { attachmentBinaryProperty: 'decision', correction: 'incomplete' } },
		]);
		await runOperation(dossierOps.sendMessage, ctx);
		expect(requests[1].variables.input).toEqual({
			dossierId: b64('Dossier-10001'),
			instructeurId: AGENT_ID,
			body: 'Merci de compléter',
			correction: 'incomplete',
			attachment: 'signed-77',
		});
		requests.forEach(expectValidVariables);
	});

	it('a storage refusal stops before the mutation and says to retry', async () => {
		const { ctx, requests } = uploadContext(
			[{ dossier: dossier(10001), instructeur: { mode: 'id', value: AGENT_ID }, motivation: 'ok', options: { justificatifBinaryProperty: 'decision' } }],
			403,
		);
		const error = await runOperation(dossierOps.accept, ctx).catch((e) => e);
		expect(error.message).toMatch(/storage refused "décision.pdf" \(HTTP 403\)/);
		expect(error.description).toMatch(/expired/);
		expect(requests.map((r) => r.operationName)).toEqual(['CreateDirectUpload']);
	});

	it('the platform\'s checksum refusal is quoted with a retry fix', async () => {
		const { ctx } = uploadContext(
			[{ dossier: dossier(10001), instructeur: { mode: 'id', value: AGENT_ID }, motivation: 'ok', options: { justificatifBinaryProperty: 'decision', succeedIfAlreadyInTargetState: true } }],
			200,
			() => ({ data: { dossierAccepter: { errors: [{ message: 'Le hash du fichier téléversé est invalide' }], dossier: null } } }),
		);
		const error = await runOperation(dossierOps.accept, ctx).catch((e) => e);
		expect(error.message).toBe('Démarche Numérique refused dossierAccepter: Le hash du fichier téléversé est invalide');
		expect(error.description).toMatch(/does not match its checksum.*retry the item/);
	});

	it('a missing binary property fails before any request', async () => {
		const { ctx, requests } = uploadContext([
			{ dossier: dossier(10001), instructeur: { mode: 'id', value: AGENT_ID }, body: 'x', options: { attachmentBinaryProperty: 'nope' } },
		]);
		await expect(runOperation(dossierOps.sendMessage, ctx)).rejects.toThrow(/nope/);
		expect(requests).toHaveLength(0);
	});
});

describe('labels', () => {
	const labels = () => ({ data: { demarche: { id: 'p', number: 1001, labels: [{ id: b64('Label-3'), name: 'Urgent' }, { id: b64('Label-4'), name: 'À relancer' }] } } });

	it('resolves a name once per execution and démarche; an ID needs no lookup', async () => {
		const { ctx, requests } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				GetDemarcheLabels: labels,
				DossierAjouterLabel: payload('dossierAjouterLabel', { ...mutatedDossier(10001), label: { id: b64('Label-3'), name: 'Urgent' } }),
			},
			items: [
				{ dossier: dossier(10001), label: 'urgent ' },
				{ dossier: dossier(10001), label: 'Urgent' },
				{ dossier: dossier(10001), label: b64('Label-4') },
			],
		});
		await runOperation(dossierOps.addLabel, ctx);
		expect(requests.map((r) => r.operationName)).toEqual([
			'GetDossierContext',
			'GetDemarcheLabels',
			'DossierAjouterLabel',
			'DossierAjouterLabel',
			'DossierAjouterLabel',
		]);
		expect(requests.slice(2).map((r) => r.variables.input.labelId)).toEqual([b64('Label-3'), b64('Label-3'), b64('Label-4')]);
		requests.forEach(expectValidVariables);
	});

	it('each dossier\'s démarche comes from its context (one read per distinct dossier), never guessed', async () => {
		const labelsOf = ({ number }) => ({
			data: { demarche: { id: 'p', number, labels: [{ id: b64(number === 1001 ? 'Label-3' : 'Label-9'), name: 'Urgent' }] } },
		});
		const demarcheOf = (n) => (n === 10003 ? 1002 : 1001);
		const { ctx, requests } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => {
					const context = dossierContext(number);
					context.data.dossier.demarche.number = demarcheOf(number);
					return context;
				},
				GetDemarcheLabels: labelsOf,
				DossierAjouterLabel: ({ input }) => {
					const number = Number(Buffer.from(input.dossierId, 'base64').toString().split('-')[1]);
					const expected = b64(demarcheOf(number) === 1001 ? 'Label-3' : 'Label-9');
					if (input.labelId !== expected) {
						return { data: { dossierAjouterLabel: { errors: [{ message: 'Ce label n’appartient pas à la même démarche que le dossier' }], dossier: null } } };
					}
					return payload('dossierAjouterLabel', mutatedDossier(number))();
				},
			},
			items: [10001, 10002, 10003, 10001].map((n) => ({ dossier: dossier(n), label: 'Urgent' })),
		});
		const out = await runOperation(dossierOps.addLabel, ctx);
		expect(out.map((json) => json.number)).toEqual([10001, 10002, 10003, 10001]);
		// One context read per distinct dossier, the labels once per démarche, and every label put
		// once: no attempt with the démarche seen last, no second send.
		expect(requests.map((r) => `${r.operationName}${r.variables.number ? ` ${r.variables.number}` : ''}`)).toEqual([
			'GetDossierContext 10001',
			'GetDemarcheLabels 1001',
			'DossierAjouterLabel',
			'GetDossierContext 10002',
			'DossierAjouterLabel',
			'GetDossierContext 10003',
			'GetDemarcheLabels 1002',
			'DossierAjouterLabel',
			'DossierAjouterLabel',
		]);
	});

	it('a refusal is the error itself, after the dossier\'s own context read, and is sent once', async () => {
		const { ctx, requests } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				GetDemarcheLabels: labels,
				DossierAjouterLabel: ({ input }) =>
					input.dossierId === b64('Dossier-10002')
						? { data: { dossierAjouterLabel: { errors: [{ message: 'Ce label est déjà associé au dossier' }], dossier: null } } }
						: payload('dossierAjouterLabel', mutatedDossier(10001))(),
			},
			items: [{ dossier: dossier(10001), label: 'Urgent' }, { dossier: dossier(10002), label: 'Urgent' }],
		});
		const error = await runOperation(dossierOps.addLabel, ctx).catch((e) => e);
		expect(error.message).toBe('Démarche Numérique refused dossierAjouterLabel: Ce label est déjà associé au dossier');
		expect(error.description).toMatch(/already has this label/);
		expect(requests.map((r) => r.operationName)).toEqual(['GetDossierContext', 'GetDemarcheLabels', 'DossierAjouterLabel', 'GetDossierContext', 'DossierAjouterLabel']);
	});

	it('an unknown name lists the démarche\'s labels', async () => {
		const { ctx } = writeContext({
			graphql: { GetDossierContext: ({ number }) => dossierContext(number), GetDemarcheLabels: labels },
			items: [{ dossier: dossier(10001), label: 'Prioritaire' }],
		});
		const error = await runOperation(dossierOps.removeLabel, ctx).catch((e) => e);
		expect(error.message).toBe('The démarche 1001 has no label "Prioritaire"');
		expect(error.description).toMatch(/"Urgent", "À relancer"/);
	});
});

describe('annotations: one batch call, or the legacy mutations where the server lacks it', () => {
	const descriptors = () => ({
		data: {
			demarche: {
				id: 'p',
				number: 1001,
				activeRevision: {
					id: 'r',
					champDescriptors: [],
					annotationDescriptors: [
						{ __typename: 'DropDownListChampDescriptor', id: b64('Champ-10'), label: 'Avis du service', options: ['Favorable', 'Défavorable'], otherOption: false },
						{ __typename: 'IntegerNumberChampDescriptor', id: b64('Champ-8'), label: 'Montant accordé' },
						{ __typename: 'RepetitionChampDescriptor', id: b64('Champ-14'), label: 'Suivi', champDescriptors: [] },
					],
				},
			},
		},
	});
	const introspection = (names) => () => ({ data: { __schema: { mutationType: { fields: names.map((name) => ({ name })) } } } });
	const item = (n) => ({
		dossier: dossier(n),
		instructeur: { mode: 'id', value: AGENT_ID },
		annotations: { annotation: [{ annotation: 'Avis du service', value: 'favorable' }, { annotation: 'Montant accordé', value: '1 200' }, { annotation: 'Suivi', value: '2' }] },
	});

	it('sends every annotation in one dossierModifierAnnotations call; the context once per dossier, descriptors and introspection once', async () => {
		const { ctx, requests } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				GetDemarcheDescriptors: descriptors,
				GetMutationNames: introspection(['dossierModifierAnnotations', 'dossierAccepter']),
				DossierModifierAnnotations: payload('dossierModifierAnnotations', { annotations: [{ id: b64('Champ-10'), label: 'Avis du service', stringValue: 'Favorable' }] }),
			},
			items: [item(10001), item(10002)],
		});
		const out = await runOperation(dossierOps.updateAnnotations, ctx);
		// Each dossier's démarche comes from its own context read (never guessed from the last one).
		expect(requests.map((r) => r.operationName)).toEqual([
			'GetDossierContext',
			'GetDemarcheDescriptors',
			'GetMutationNames',
			'DossierModifierAnnotations',
			'GetDossierContext',
			'DossierModifierAnnotations',
		]);
		expect(requests[3].variables.input).toEqual({
			dossierId: b64('Dossier-10001'),
			instructeurId: AGENT_ID,
			annotations: [
				{ id: b64('Champ-10'), value: { dropDownList: 'Favorable' } },
				{ id: b64('Champ-8'), value: { integerNumber: 1200 } },
				{ id: b64('Champ-14'), value: { repetition: 2 } },
			],
		});
		expect(out[0]).toEqual({
			dossierNumber: 10001,
			annotations: [{ id: b64('Champ-10'), label: 'Avis du service', stringValue: 'Favorable' }],
			written: ['Avis du service', 'Montant accordé', 'Suivi'],
			failed: [],
		});
		requests.forEach(expectValidVariables);
	});

	it('falls back to the per-type mutations, and remembers the server lacks the batch one across executions', async () => {
		const handlers = {
			GetDossierContext: ({ number }) => dossierContext(number),
			GetDemarcheDescriptors: descriptors,
			GetMutationNames: introspection(['dossierModifierAnnotationDropDownList', 'dossierModifierAnnotationIntegerNumber', 'dossierModifierAnnotationAjouterLigne']),
			DossierModifierAnnotationDropDownList: payload('dossierModifierAnnotationDropDownList', { annotation: { id: b64('Champ-10') } }),
			DossierModifierAnnotationIntegerNumber: payload('dossierModifierAnnotationIntegerNumber', { annotation: { id: b64('Champ-8') } }),
			DossierModifierAnnotationAjouterLigne: payload('dossierModifierAnnotationAjouterLigne', { annotation: { id: b64('Champ-14') } }),
		};
		const first = writeContext({ graphql: handlers, items: [item(10001)] });
		const [json] = await runOperation(dossierOps.updateAnnotations, first.ctx);
		expect(first.requests.map((r) => r.operationName)).toEqual([
			'GetDossierContext',
			'GetDemarcheDescriptors',
			'GetMutationNames',
			'DossierModifierAnnotationDropDownList',
			'DossierModifierAnnotationIntegerNumber',
			'DossierModifierAnnotationAjouterLigne',
			'DossierModifierAnnotationAjouterLigne',
		]);
		expect(first.requests[3].variables.input).toEqual({ dossierId: b64('Dossier-10001'), instructeurId: AGENT_ID, annotationId: b64('Champ-10'), value: 'Favorable' });
		expect(first.requests[5].variables.input).toEqual({ dossierId: b64('Dossier-10001'), instructeurId: AGENT_ID, annotationId: b64('Champ-14') });
		expect(json.legacyMutations).toBe(true);
		first.requests.forEach(expectValidVariables);

		// A new execution (new cache), same server and credential: no second introspection.
		const second = writeContext({ graphql: handlers, items: [item(10002)] });
		await runOperation(dossierOps.updateAnnotations, second.ctx, new ExecutionCache());
		expect(second.requests.map((r) => r.operationName)).not.toContain('GetMutationNames');
	});

	it('legacy mutations: a failure that may hide a success stops at once, saying what was written and what was not sent', async () => {
		const { ctx, requests } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				GetDemarcheDescriptors: descriptors,
				GetMutationNames: introspection(['dossierModifierAnnotationDropDownList', 'dossierModifierAnnotationIntegerNumber', 'dossierModifierAnnotationAjouterLigne']),
				DossierModifierAnnotationDropDownList: payload('dossierModifierAnnotationDropDownList', { annotation: { id: b64('Champ-10') } }),
				DossierModifierAnnotationIntegerNumber: () => {
					throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
				},
			},
			items: [item(10001)],
		});
		const error = await runOperation(dossierOps.updateAnnotations, ctx).catch((e) => e);
		expect(error.description).toMatch(/may or may not have been applied/);
		expect(error.description).toMatch(/Before this failure \(on "Montant accordé"\): written "Avis du service"; not sent: "Suivi"\.$/);
		expect(requests.filter((r) => /^DossierModifier/.test(r.operationName)).map((r) => r.operationName)).toEqual([
			'DossierModifierAnnotationDropDownList',
			'DossierModifierAnnotationIntegerNumber',
		]);
	});

	it('where introspection is refused, tries the batch mutation and falls back when the server says it has none', async () => {
		let batchCalls = 0;
		let introspections = 0;
		const handlers = {
			GetDossierContext: ({ number }) => dossierContext(number),
			GetDemarcheDescriptors: descriptors,
			GetMutationNames: () => {
				introspections++;
				return { errors: [{ message: 'Introspection is disabled' }] };
			},
			DossierModifierAnnotations: () => {
				batchCalls++;
				return { errors: [{ message: "Field 'dossierModifierAnnotations' doesn't exist on type 'Mutation'", locations: [{ line: 2, column: 3 }] }] };
			},
			DossierModifierAnnotationDropDownList: payload('dossierModifierAnnotationDropDownList', { annotation: { id: b64('Champ-10') } }),
			DossierModifierAnnotationIntegerNumber: payload('dossierModifierAnnotationIntegerNumber', { annotation: { id: b64('Champ-8') } }),
			DossierModifierAnnotationAjouterLigne: payload('dossierModifierAnnotationAjouterLigne', { annotation: { id: b64('Champ-14') } }),
		};
		const first = writeContext({ graphql: handlers, items: [item(10001), item(10002)] });
		const out = await runOperation(dossierOps.updateAnnotations, first.ctx);
		expect(out.map((json) => json.legacyMutations)).toEqual([true, true]);
		expect(batchCalls).toBe(1);
		expect(introspections).toBe(1);
		const second = writeContext({ graphql: handlers, items: [item(10003)] });
		await runOperation(dossierOps.updateAnnotations, second.ctx, new ExecutionCache());
		expect(batchCalls).toBe(1);
	});

	it('a partial write (the platform saves each valid item): what was written, what was refused with its words, and a fix', async () => {
		const { ctx } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				GetDemarcheDescriptors: descriptors,
				GetMutationNames: introspection(['dossierModifierAnnotations']),
				// e.g. a dossier on an older revision, which has no "Montant accordé".
				DossierModifierAnnotations: () => ({
					data: {
						dossierModifierAnnotations: {
							errors: [{ message: `L‘annotation "${b64('Champ-8')}" n’existe pas` }],
							annotations: [{ id: b64('Champ-10'), label: 'Avis du service' }, { id: b64('Champ-14'), label: 'Suivi' }],
						},
					},
				}),
			},
			items: [item(10001)],
		});
		const error = await runOperation(dossierOps.updateAnnotations, ctx).catch((e) => e);
		expect(error.message).toBe(`Démarche Numérique wrote 2 of 3 annotations of dossier 10001 and refused "Montant accordé": L‘annotation "${b64('Champ-8')}" n’existe pas`);
		expect(error.description).toMatch(/^Written and saved: "Avis du service", "Suivi"\. Refused: "Montant accordé"\./);
		expect(error.description).toMatch(/running the whole item again would add the rows of "Suivi" again/);
		expect(error.description).toMatch(/annotation was not found on this dossier's revision/);
		expect(error.description).not.toMatch(/Nothing was written/);
		expect(error.context.outcome).toEqual({
			dossierNumber: 10001,
			written: ['Avis du service', 'Suivi'],
			failed: [{ annotation: 'Montant accordé', id: b64('Champ-8'), error: `L‘annotation "${b64('Champ-8')}" n’existe pas` }],
		});
	});

	it('stopped before writing (annotations null): nothing written, every annotation refused', async () => {
		const { ctx } = writeContext({
			graphql: {
				GetDossierContext: ({ number }) => dossierContext(number),
				GetDemarcheDescriptors: descriptors,
				GetMutationNames: introspection(['dossierModifierAnnotations']),
				DossierModifierAnnotations: () => ({ data: { dossierModifierAnnotations: { errors: [{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' }], annotations: null } } }),
			},
			items: [item(10001)],
		});
		const error = await runOperation(dossierOps.updateAnnotations, ctx).catch((e) => e);
		expect(error.message).toMatch(/^Démarche Numérique refused the annotations of dossier 10001: "Avis du service": L’instructeur n’a pas les droits/);
		expect(error.description).toMatch(/^Nothing was written\./);
		expect(error.description).toMatch(/choose an instructeur of the dossier's groupe/);
	});

	it('several validation errors (which name no annotation) go, in order, to the items not saved', () => {
		const { batchOutcome } = require('../../nodes/DemarcheNumerique/resolve/annotations');
		const planned = ['A', 'B', 'C', 'D'].map((label, i) => ({ descriptor: { label }, input: { id: `id${i}`, value: {} } }));
		expect(
			batchOutcome(planned, {
				annotations: [{ id: 'id0' }, { id: 'id2' }],
				errors: [{ message: `L‘annotation "id3" n’est pas de type attendu` }, { message: 'est invalide.' }],
			}),
		).toEqual({
			written: [{ annotation: 'A', id: 'id0' }, { annotation: 'C', id: 'id2' }],
			failed: [
				{ annotation: 'B', id: 'id1', error: 'est invalide.' },
				{ annotation: 'D', id: 'id3', error: `L‘annotation "id3" n’est pas de type attendu` },
			],
		});
	});

	it('a wrong value fails before the mutation, naming the annotation and its options', async () => {
		const { ctx, requests } = writeContext({
			graphql: { GetDossierContext: ({ number }) => dossierContext(number), GetDemarcheDescriptors: descriptors },
			items: [{ ...item(10001), annotations: { annotation: [{ annotation: 'Avis du service', value: 'Mitigé' }] } }],
		});
		const error = await runOperation(dossierOps.updateAnnotations, ctx).catch((e) => e);
		expect(error.message).toBe('"Mitigé" is not an option of "Avis du service". Options: "Favorable", "Défavorable"');
		expect(error.description).toMatch(/Nothing was sent/);
		expect(requests.map((r) => r.operationName)).toEqual(['GetDossierContext', 'GetDemarcheDescriptors']);
	});
});

describe('other dossier mutations send inputs the real schema accepts', () => {
	const id = { mode: 'id', value: AGENT_ID };
	const cases = [
		['archive', 'DossierArchiver', 'dossierArchiver', { dossier: dossier(10001), instructeur: id }, { dossierId: b64('Dossier-10001'), instructeurId: AGENT_ID }],
		['unarchive', 'DossierDesarchiver', 'dossierDesarchiver', { dossier: dossier(10001), instructeur: id }, { dossierId: b64('Dossier-10001'), instructeurId: AGENT_ID }],
		['follow', 'DossierBasculeSuivi', 'dossierBasculeSuivi', { dossier: dossier(10001), instructeur: id }, { dossierId: b64('Dossier-10001'), instructeurId: AGENT_ID, follow: true }],
		['unfollow', 'DossierBasculeSuivi', 'dossierBasculeSuivi', { dossier: dossier(10001), instructeur: id }, { dossierId: b64('Dossier-10001'), instructeurId: AGENT_ID, follow: false }],
		['changeGroupeInstructeur', 'DossierChangerGroupeInstructeur', 'dossierChangerGroupeInstructeur', { dossier: dossier(10001), groupeInstructeur: { mode: 'id', value: '502' } }, { dossierId: b64('Dossier-10001'), groupeInstructeurId: b64('GroupeInstructeur-502') }],
		['deleteMessage', 'DossierSupprimerMessage', 'dossierSupprimerMessage', { dossier: dossier(10001), instructeur: id, messageId: ' Q29tbWVudGFpcmUtMTI= ' }, { messageId: 'Q29tbWVudGFpcmUtMTI=', instructeurId: AGENT_ID }],
	];
	it.each(cases)('%s', async (operation, operationName, field, parameters, input) => {
		const { ctx, requests } = writeContext({
			graphql: { [operationName]: payload(field, { ...mutatedDossier(10001), message: { id: 'm' } }) },
			items: [parameters],
		});
		await runOperation(dossierOps[operation], ctx);
		expect(requests.map((r) => r.operationName)).toEqual([operationName]);
		expect(requests[0].variables.input).toEqual(input);
		expectValidVariables(requests[0]);
	});
});

describe('groupes instructeurs and démarche clone', () => {
	const groupe = { id: b64('GroupeInstructeur-510'), number: 510, label: 'Est', closed: false, instructeurs: [] };

	it('create sends the démarche, label, closed and instructeurs; warnings come back in the output', async () => {
		const { ctx, requests } = writeContext({
			graphql: {
				GroupeInstructeurCreer: payload('groupeInstructeurCreer', { groupeInstructeur: groupe, warnings: [{ message: 'pas-un-email n’est pas une adresse valide' }] }),
			},
			items: [{ demarche: { mode: 'id', value: '1001' }, label: ' Est ', options: { closed: true, instructeurs: 'a@example.gouv.fr; pas-un-email@\nb@example.gouv.fr' } }],
		});
		const [json] = await runOperation(groupeOps.create, ctx);
		expect(requests[0].variables.input).toEqual({
			demarche: { number: 1001 },
			groupeInstructeur: {
				label: 'Est',
				closed: true,
				instructeurs: [{ email: 'a@example.gouv.fr' }, { email: 'pas-un-email@' }, { email: 'b@example.gouv.fr' }],
			},
		});
		expect(json).toEqual({ ...groupe, warnings: ['pas-un-email n’est pas une adresse valide'] });
		expectValidVariables(requests[0]);
	});

	it('update sends only the fields given, and refuses to send nothing', async () => {
		const { ctx, requests } = writeContext({
			graphql: { GroupeInstructeurModifier: payload('groupeInstructeurModifier', { groupeInstructeur: groupe }) },
			items: [
				{ groupeInstructeur: { mode: 'id', value: '510' }, updateFields: { closed: false } },
				{ groupeInstructeur: { mode: 'id', value: '510' }, updateFields: {} },
			],
		});
		const error = await runOperation(groupeOps.update, ctx).catch((e) => e);
		expect(requests[0].variables.input).toEqual({ groupeInstructeurId: b64('GroupeInstructeur-510'), closed: false });
		expectValidVariables(requests[0]);
		expect(error.message).toBe('Nothing to update');
		expect(requests).toHaveLength(1);
	});

	it.each([
		['addInstructeurs', 'GroupeInstructeurAjouterInstructeurs', 'groupeInstructeurAjouterInstructeurs'],
		['removeInstructeurs', 'GroupeInstructeurSupprimerInstructeurs', 'groupeInstructeurSupprimerInstructeurs'],
	])('%s sends profiles by e-mail (deduplicated)', async (operation, operationName, field) => {
		const { ctx, requests } = writeContext({
			graphql: { [operationName]: payload(field, { groupeInstructeur: groupe }) },
			items: [{ groupeInstructeur: { mode: 'id', value: '510' }, instructeurs: 'a@example.gouv.fr, b@example.gouv.fr,a@example.gouv.fr' }],
		});
		await runOperation(groupeOps[operation], ctx);
		expect(requests[0].variables.input).toEqual({
			groupeInstructeurId: b64('GroupeInstructeur-510'),
			instructeurs: [{ email: 'a@example.gouv.fr' }, { email: 'b@example.gouv.fr' }],
		});
		expectValidVariables(requests[0]);
	});

	it('clone sends the démarche number and the optional title', async () => {
		const { ctx, requests } = writeContext({
			graphql: { DemarcheCloner: payload('demarcheCloner', { demarche: { id: b64('Procedure-1010'), number: 1010, title: 'Copie' } }) },
			items: [{ demarche: { mode: 'url', value: 'https://dn.example.fr/admin/procedures/1001' }, options: { title: 'Copie' } }],
		});
		const [json] = await runOperation(demarcheOps.clone, ctx);
		expect(requests[0].variables.input).toEqual({ demarche: { number: 1001 }, title: 'Copie' });
		expect(json).toEqual({ id: b64('Procedure-1010'), number: 1010, title: 'Copie', clonedFrom: 1001 });
		expectValidVariables(requests[0]);
	});
});

describe('prefill (public REST endpoint)', () => {
	const champs = () => ({
		data: {
			demarche: {
				id: 'p',
				number: 1001,
				activeRevision: {
					id: 'r',
					annotationDescriptors: [],
					champDescriptors: [
						{ __typename: 'TextChampDescriptor', id: b64('Champ-1'), label: 'Nom de l’association' },
						{ __typename: 'MultipleDropDownListChampDescriptor', id: b64('Champ-2'), label: 'Activités', options: ['Sport', 'Culture'] },
						{ __typename: 'DateChampDescriptor', id: b64('Champ-3'), label: 'Date de création' },
						{ __typename: 'CheckboxChampDescriptor', id: b64('Champ-4'), label: 'Agréée' },
						{ __typename: 'IntegerNumberChampDescriptor', id: b64('Champ-5'), label: 'Adhérents' },
					],
				},
			},
		},
	});

	it('POSTs exactly application/json without the token, fields by label or key, and returns the URL and prefill token', async () => {
		const { ctx, requests, httpRequests } = writeContext({
			graphql: { GetDemarcheDescriptors: champs },
			http: async () => ({
				statusCode: 201,
				headers: {},
				body: JSON.stringify({ dossier_url: 'https://dn.example.fr/commencer/x?prefill_token=tk', state: 'prefilled', dossier_id: b64('Dossier-20001'), dossier_number: 20001, dossier_prefill_token: 'tk' }),
			}),
			items: [
				{
					demarche: { mode: 'id', value: '1001' },
					fields: { field: [{ field: 'Nom de l’association', value: 'Les Amis du Vélo' }, { field: 'Activités', value: 'Sport, Culture' }, { field: 'champ_abc', value: 'brut' }, { field: 'Date de création', value: '02/05/2013' }, { field: 'Agréée', value: 'oui' }, { field: 'Adhérents', value: '1 250' }] },
					options: { identiteNom: 'Martin' },
				},
			],
		});
		const [json] = await runOperation(dossierOps.createPrefilled, ctx);
		expect(requests.map((r) => r.operationName)).toEqual(['GetDemarcheDescriptors']);
		expect(httpRequests).toHaveLength(1);
		expect(httpRequests[0]).toMatchObject({ method: 'POST', url: 'https://dn.example.fr/api/public/v1/demarches/1001/dossiers' });
		expect(httpRequests[0].headers['Content-Type']).toBe('application/json');
		expect(typeof httpRequests[0].body).toBe('string');
		expect(JSON.parse(httpRequests[0].body)).toEqual({
			[`champ_${b64('Champ-1')}`]: 'Les Amis du Vélo',
			[`champ_${b64('Champ-2')}`]: ['Sport', 'Culture'],
			champ_abc: 'brut',
			[`champ_${b64('Champ-3')}`]: '2013-05-02',
			[`champ_${b64('Champ-4')}`]: 'true',
			[`champ_${b64('Champ-5')}`]: '1250',
			identite_nom: 'Martin',
		});
		expect(JSON.stringify(httpRequests[0])).not.toContain(TOKEN);
		expect(json).toEqual({ dossierUrl: 'https://dn.example.fr/commencer/x?prefill_token=tk', dossierNumber: 20001, dossierId: b64('Dossier-20001'), prefillToken: 'tk', state: 'prefilled' });
	});

	it('getPrefillStatus GETs the tokens and returns one item per dossier', async () => {
		const { ctx, httpRequests } = writeContext({
			http: async () => ({ statusCode: 200, headers: {}, body: [{ dossier_number: 20001, state: 'prefilled' }, { dossier_number: 20002, state: 'en_construction' }] }),
			items: [{ demarche: { mode: 'id', value: '1001' }, prefillTokens: 'tk1, tk2' }],
		});
		const out = await runOperation(dossierOps.getPrefillStatus, ctx);
		expect(httpRequests[0]).toMatchObject({ method: 'GET', qs: { prefill_token: 'tk1,tk2' } });
		expect(out).toEqual([{ dossier_number: 20001, state: 'prefilled' }, { dossier_number: 20002, state: 'en_construction' }]);
	});

	it('waits out the endpoint\'s rate limit, and fails clearly when the reset is too far away', async () => {
		const replies = [
			{ statusCode: 429, headers: { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) - 1) }, body: 'Retry later' },
			{ statusCode: 200, headers: {}, body: [{ dossier_number: 20001, state: 'prefilled' }] },
		];
		const { ctx, httpRequests } = writeContext({ http: async () => replies.shift(), items: [{ demarche: { mode: 'id', value: '1001' }, prefillTokens: 'tk1' }] });
		expect(await runOperation(dossierOps.getPrefillStatus, ctx)).toEqual([{ dossier_number: 20001, state: 'prefilled' }]);
		expect(httpRequests).toHaveLength(2);

		const far = writeContext({
			http: async () => ({ statusCode: 429, headers: { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 600) }, body: 'Retry later' }),
			items: [{ demarche: { mode: 'id', value: '1001' }, prefillTokens: 'tk1' }],
		});
		const error = await runOperation(dossierOps.getPrefillStatus, far.ctx).catch((e) => e);
		expect(error.message).toBe('The prefill endpoint\'s rate limit was reached (HTTP 429)');
		expect(error.description).toMatch(/15 prefill requests per 15 seconds/);
		expect(far.httpRequests).toHaveLength(1);
	});

	it('an endpoint error quotes the platform and says what to check', async () => {
		const { ctx } = writeContext({
			http: async () => ({ statusCode: 404, headers: {}, body: '{"error":"Démarche introuvable"}' }),
			items: [{ demarche: { mode: 'id', value: '9999' }, fields: { field: [{ field: 'champ_x', value: '1' }] }, options: {} }],
		});
		const error = await runOperation(dossierOps.createPrefilled, ctx).catch((e) => e);
		expect(error.message).toBe('The prefill endpoint answered HTTP 404: Démarche introuvable');
		expect(error.description).toMatch(/published/);
	});
});
