'use strict';
/** Sandbox mutations over real HTTP: the dossier state machine and its French business errors. */
const { control, gql, start } = require('./helpers');
const { gid, actors, freshDossier, mutate, upload } = require('./mutations-helpers');

let sandbox;
let who;
beforeAll(async () => {
	sandbox = await start({ size: 60 });
	who = await actors(sandbox);
});
afterAll(() => sandbox.stop());

const DOSSIER_FIELDS =
	'dossier { number state motivation dateDerniereModification } errors { message }';
const stateInput = (number, extra = {}) => ({
	dossierId: gid('Dossier', number),
	instructeurId: who.insider.id,
	...extra,
});

// Which state each mutation accepts, and what it leads to (ds-api.md, the platform's mutations).
const TABLE = [
	['dossierPasserEnInstruction', 'en_construction', 'en_instruction', {}],
	['dossierAccepter', 'en_instruction', 'accepte', { motivation: 'Dossier complet' }],
	['dossierRefuser', 'en_instruction', 'refuse', { motivation: 'Pièces manquantes' }],
	['dossierClasserSansSuite', 'en_instruction', 'sans_suite', { motivation: 'Sans objet' }],
	['dossierRepasserEnInstruction', 'accepte', 'en_instruction', {}],
	['dossierRepasserEnInstruction', 'refuse', 'en_instruction', {}],
	['dossierRepasserEnInstruction', 'sans_suite', 'en_instruction', {}],
	['dossierRepasserEnConstruction', 'en_instruction', 'en_construction', {}],
];

describe.each(TABLE)('%s from %s', (name, from, to, extra) => {
	it(`leads to ${to}, with a traitement, a new dateDerniereModification and an event`, async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: from });
		const before = await control(sandbox, 'GET', `/dossiers/${number}`);
		const lastEvent = (await control(sandbox, 'GET', '/events')).pop().sequence;
		await control(sandbox, 'POST', '/clock', { set: before.dateDerniereModificationMs + 60000 });
		try {
			const res = await mutate(sandbox, name, stateInput(number, extra), DOSSIER_FIELDS);
			expect(res.data[name].errors).toBeNull();
			expect(res.data[name].dossier.state).toBe(to);
			expect(res.data[name].dossier.dateDerniereModification).not.toBe(
				before.dateDerniereModification,
			);
			const read = await gql(
				sandbox,
				`query($n: Int!) { dossier(number: $n) { state traitements { state emailAgentTraitant motivation } } }`,
				{ n: number },
			);
			const last = read.json.data.dossier.traitements.slice(-1)[0];
			expect(last).toEqual({
				state: to,
				emailAgentTraitant: who.insider.email,
				motivation: extra.motivation || null,
			});
			const events = await control(sandbox, 'GET', `/events?since=${lastEvent}`);
			expect(events).toContainEqual(
				expect.objectContaining({
					type: 'stateChanged',
					dossierNumber: number,
					previousState: from,
					state: to,
				}),
			);
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
	});
});

// Every state a mutation refuses, with the platform's message naming the current state.
const WRONG_STATES = [
	['dossierPasserEnInstruction', 'en_instruction', 'Le dossier est déjà en instruction'],
	['dossierPasserEnInstruction', 'accepte', 'Le dossier est déjà accepté'],
	['dossierAccepter', 'en_construction', 'Le dossier est déjà en construction'],
	['dossierAccepter', 'refuse', 'Le dossier est déjà refusé'],
	['dossierRefuser', 'accepte', 'Le dossier est déjà accepté'],
	['dossierClasserSansSuite', 'sans_suite', 'Le dossier est déjà classé sans suite'],
	['dossierRepasserEnInstruction', 'en_instruction', 'Le dossier est déjà en instruction'],
	['dossierRepasserEnInstruction', 'en_construction', 'Le dossier est déjà en construction'],
	['dossierRepasserEnConstruction', 'en_construction', 'Le dossier est déjà en construction'],
	['dossierRepasserEnConstruction', 'refuse', 'Le dossier est déjà refusé'],
];

it.each(WRONG_STATES)('%s on a dossier %s: "%s", nothing changes', async (name, state, message) => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number, state });
	const before = await control(sandbox, 'GET', `/dossiers/${number}`);
	const decision = ['dossierAccepter', 'dossierRefuser', 'dossierClasserSansSuite'].includes(name);
	const input = stateInput(number, decision ? { motivation: 'm' } : {});
	const res = await mutate(sandbox, name, input, DOSSIER_FIELDS);
	expect(res.errors).toBeUndefined();
	expect(res.data[name]).toEqual({ dossier: null, errors: [{ message }] });
	const after = await control(sandbox, 'GET', `/dossiers/${number}`);
	expect(after.state).toBe(state);
	expect(after.version).toBe(before.version);
});

it('makes the instructeur who passes a dossier en instruction follow it', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(number),
		'dossier { instructeurs { email } } errors { message }',
	);
	expect(res.data.dossierPasserEnInstruction.dossier.instructeurs).toEqual([
		{ email: who.insider.email },
	]);
});

it('refuses an instructeur outside the dossier’s groupe', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(number, { instructeurId: who.outsider.id }),
		DOSSIER_FIELDS,
	);
	expect(res.data.dossierPasserEnInstruction).toEqual({
		dossier: null,
		errors: [{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' }],
	});
	expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_construction');
});

it('answers a read-only token in the payload, and changes nothing', async () => {
	const number = await freshDossier(sandbox, {
		groupe: who.groupe.number,
		state: 'en_instruction',
	});
	const res = await mutate(
		sandbox,
		'dossierAccepter',
		stateInput(number),
		DOSSIER_FIELDS,
		sandbox.tokens.readOnly,
	);
	expect(res.data.dossierAccepter).toEqual({
		dossier: null,
		errors: [{ message: 'Le jeton utilisé est configuré seulement en lecture' }],
	});
	expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_instruction');
});

it('hides a dossier of a démarche the token does not cover (a GraphQL error, no payload)', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number }); // démarche 1001
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(number),
		DOSSIER_FIELDS,
		sandbox.tokens.scoped,
	);
	expect(res.data).toEqual({ dossierPasserEnInstruction: null });
	expect(res.errors[0].message).toBe('An object of type Dossier was hidden due to permissions');
	expect(res.errors[0].extensions.code).toBe('unauthorized');
});

it('names the payload for an ID that names nothing: <Mutation>Payload not found, code not_found', async () => {
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(999999),
		DOSSIER_FIELDS,
	);
	expect(res.data).toEqual({ dossierPasserEnInstruction: null });
	expect(res.errors[0]).toMatchObject({
		message: 'DossierPasserEnInstructionPayload not found',
		extensions: { code: 'not_found' },
	});
	// An unknown instructeur, or a malformed ID, is named the same way.
	const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
	for (const instructeurId of [gid('Instructeur', 99999), 'not-an-id']) {
		const other = await mutate(sandbox, 'dossierAccepter', stateInput(number, { instructeurId }), DOSSIER_FIELDS);
		expect(other.errors[0].message).toBe('DossierAccepterPayload not found');
	}
});

it('an ID of an existing object of another type: No object found for `argument: "ID"`, without a code', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
	const wrong = gid('Dossier', number);
	const res = await mutate(sandbox, 'dossierAccepter', stateInput(number, { instructeurId: wrong }), DOSSIER_FIELDS);
	expect(res.data).toEqual({ dossierAccepter: null });
	expect(res.errors[0].message).toBe(`No object found for \`instructeurId: "${wrong}"\``);
	expect(res.errors[0].extensions).toBeUndefined();
	expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_instruction');
});

it('requires a motivation for a refusal (GraphQL validation, no data)', async () => {
	const number = await freshDossier(sandbox, {
		groupe: who.groupe.number,
		state: 'en_instruction',
	});
	const res = await mutate(sandbox, 'dossierRefuser', stateInput(number), DOSSIER_FIELDS);
	expect(res.data).toBeUndefined();
	expect(res.errors[0].message).toMatch(/motivation/);
});

it('records disableNotification (control API) and sends the usager e-mail otherwise', async () => {
	const quiet = await freshDossier(sandbox, { groupe: who.groupe.number });
	const loud = await freshDossier(sandbox, { groupe: who.groupe.number });
	await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(quiet, { disableNotification: true }),
	);
	await mutate(sandbox, 'dossierPasserEnInstruction', stateInput(loud));
	const sent = await control(sandbox, 'GET', '/notifications');
	expect(sent.filter((n) => n.dossierNumber === quiet)).toEqual([
		expect.objectContaining({
			kind: 'state:en_instruction',
			disableNotification: true,
			sent: false,
		}),
	]);
	expect(sent.filter((n) => n.dossierNumber === loud)).toEqual([
		expect.objectContaining({
			kind: 'state:en_instruction',
			disableNotification: false,
			sent: true,
		}),
	]);
});

describe('justificatif (direct upload)', () => {
	const bytes = Buffer.from('%PDF-1.4\ndécision motivée\n');

	it('attaches the uploaded bytes: motivationAttachment downloads exactly them', async () => {
		const number = await freshDossier(sandbox, {
			groupe: who.groupe.number,
			state: 'en_instruction',
		});
		const { signedBlobId, putStatus } = await upload(sandbox, number, bytes, {
			filename: 'decision.pdf',
		});
		expect(putStatus).toBe(200);
		const res = await mutate(
			sandbox,
			'dossierAccepter',
			stateInput(number, { justificatif: signedBlobId }),
			'dossier { state motivationAttachment { filename url checksum } } errors { message }',
		);
		expect(res.data.dossierAccepter.errors).toBeNull();
		const file = res.data.dossierAccepter.dossier.motivationAttachment;
		expect(file.filename).toBe('decision.pdf');
		const download = await fetch(file.url);
		expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
	});

	it.each([
		['a tampered signed ID', 'tamper', 'L’identifiant du fichier téléversé est invalide'],
		[
			'an expired signed ID (1 h, sandbox clock)',
			'expire',
			'L’identifiant du fichier téléversé est invalide',
		],
		[
			'a blob never uploaded',
			'skip',
			'Le fichier n’a pas été correctement téléversé sur le serveur de stockage',
		],
		['a blob whose checksum did not match', 'corrupt', 'Le hash du fichier téléversé est invalide'],
	])('refuses %s, and the dossier stays en_instruction', async (_case, how, message) => {
		const number = await freshDossier(sandbox, {
			groupe: who.groupe.number,
			state: 'en_instruction',
		});
		let signedBlobId;
		if (how === 'skip') {
			const res = await gql(
				sandbox,
				`mutation($input: CreateDirectUploadInput!) { createDirectUpload(input: $input) { directUpload { signedBlobId } } }`,
				{
					input: {
						dossierId: gid('Dossier', number),
						filename: 'x.pdf',
						byteSize: bytes.length,
						checksum: 'AAAAAAAAAAAAAAAAAAAAAA==',
						contentType: 'application/pdf',
					},
				},
			);
			signedBlobId = res.json.data.createDirectUpload.directUpload.signedBlobId;
		} else {
			const corrupted = Buffer.from(bytes);
			corrupted[0] = 0x41;
			const up = await upload(
				sandbox,
				number,
				bytes,
				how === 'corrupt' ? { putBytes: corrupted } : {},
			);
			signedBlobId = how === 'tamper' ? `${up.signedBlobId.slice(0, -2)}00` : up.signedBlobId;
		}
		if (how === 'expire') await control(sandbox, 'POST', '/clock', { advanceMs: 61 * 60 * 1000 });
		try {
			const res = await mutate(
				sandbox,
				'dossierAccepter',
				stateInput(number, { justificatif: signedBlobId }),
				DOSSIER_FIELDS,
			);
			expect(res.data.dossierAccepter).toEqual({ dossier: null, errors: [{ message }] });
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
		expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_instruction');
	});
});

describe('archive', () => {
	it('archives a final dossier and unarchives it', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'refuse' });
		const input = { dossierId: gid('Dossier', number), instructeurId: who.insider.id };
		const archived = await mutate(
			sandbox,
			'dossierArchiver',
			input,
			'dossier { archived } errors { message }',
		);
		expect(archived.data.dossierArchiver).toEqual({ dossier: { archived: true }, errors: null });
		const back = await mutate(
			sandbox,
			'dossierDesarchiver',
			input,
			'dossier { archived } errors { message }',
		);
		expect(back.data.dossierDesarchiver).toEqual({ dossier: { archived: false }, errors: null });
	});

	it.each(['en_construction', 'en_instruction'])(
		'refuses to archive a dossier %s',
		async (state) => {
			const number = await freshDossier(sandbox, { groupe: who.groupe.number, state });
			const res = await mutate(sandbox, 'dossierArchiver', {
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
			});
			expect(res.data.dossierArchiver.errors).toEqual([
				{
					message:
						'Un dossier ne peut être déplacé dans « à archiver » qu’une fois le traitement terminé',
				},
			]);
		},
	);

	it('refuses to unarchive a dossier that is not archived', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'accepte' });
		const res = await mutate(sandbox, 'dossierDesarchiver', {
			dossierId: gid('Dossier', number),
			instructeurId: who.insider.id,
		});
		expect(res.data.dossierDesarchiver.errors).toEqual([
			{ message: 'Un dossier non archivé ne peut pas être désarchivé' },
		]);
	});
});
