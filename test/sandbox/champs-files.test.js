'use strict';
/** Champ typing (fragment-sensitive fallbacks), the showcase dossier, signed expiring file URLs. */
const crypto = require('crypto');
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 50 });
});
afterAll(() => sandbox.stop());
afterEach(() => control(sandbox, 'POST', '/clock', { real: true }));

const showcase = (selection) =>
	gql(
		sandbox,
		`{ dossier(number: ${sandbox.facts.everyChampDossier}) { champs { __typename label ${selection} } } }`,
	);
const typeOf = (champs, label) => champs.find((c) => c.label === label).__typename;

describe('champ __typename', () => {
	it('falls back without fragments: Address/Commune/... → TextChamp, YesNo → CheckboxChamp, Datetime → DateChamp', async () => {
		const champs = (await showcase('stringValue')).json.data.dossier.champs;
		expect(typeOf(champs, 'Adresse du projet')).toBe('TextChamp');
		expect(typeOf(champs, 'Commune')).toBe('TextChamp');
		expect(typeOf(champs, 'Département')).toBe('TextChamp');
		expect(typeOf(champs, 'Région')).toBe('TextChamp');
		expect(typeOf(champs, 'Pays de naissance')).toBe('TextChamp');
		expect(typeOf(champs, 'Type de structure')).toBe('TextChamp');
		expect(typeOf(champs, 'Votre projet')).toBe('TextChamp');
		expect(typeOf(champs, 'Avez-vous déjà déposé une demande ?')).toBe('CheckboxChamp');
		expect(typeOf(champs, 'Date et heure du rendez-vous')).toBe('DateChamp');
		expect(typeOf(champs, 'SIRET de l’entreprise')).toBe('SiretChamp');
	});

	it('serves the real types when the document has fragments on them (inline or named)', async () => {
		const res = await gql(
			sandbox,
			`query { dossier(number: ${sandbox.facts.everyChampDossier}) { champs { __typename label ...A ... on YesNoChamp { yes: value } ... on DatetimeChamp { datetime } ... on CommuneChamp { commune { code } } ... on DepartementChamp { departement { code } } ... on RegionChamp { region { code } } ... on PaysChamp { pays { code } } ... on DropDownListChamp { value } ... on HeaderSectionChamp { level } ... on ExplicationChamp { id } } } }
			fragment A on AddressChamp { address { postalCode } }`,
		);
		const champs = res.json.data.dossier.champs;
		expect(typeOf(champs, 'Adresse du projet')).toBe('AddressChamp');
		expect(typeOf(champs, 'Commune')).toBe('CommuneChamp');
		expect(typeOf(champs, 'Département')).toBe('DepartementChamp');
		expect(typeOf(champs, 'Région')).toBe('RegionChamp');
		expect(typeOf(champs, 'Pays de naissance')).toBe('PaysChamp');
		expect(typeOf(champs, 'Type de structure')).toBe('DropDownListChamp');
		expect(typeOf(champs, 'Votre projet')).toBe('HeaderSectionChamp');
		expect(
			typeOf(
				champs,
				'Merci de renseigner chaque champ. Les pièces justificatives sont au format PDF.',
			),
		).toBe('ExplicationChamp');
		const yesNo = champs.find((c) => c.label === 'Avez-vous déjà déposé une demande ?');
		expect(yesNo).toEqual({ __typename: 'YesNoChamp', label: yesNo.label, yes: true });
		expect(champs.find((c) => c.label === 'Date et heure du rendez-vous').datetime).toMatch(
			/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/,
		);
	});
});

describe('the showcase dossier', () => {
	it('has an integer beyond 2^53 as a string, repeated labels, repetition rows and visible conditional champs', async () => {
		const res = await showcase(
			'id ... on IntegerNumberChamp { value } ... on RepetitionChamp { rows { id champs { id label stringValue } } }',
		);
		const champs = res.json.data.dossier.champs;
		expect(champs.find((c) => c.label === 'Population concernée').value).toBe('9007199254740993');
		expect(champs.filter((c) => c.label === 'Commentaire')).toHaveLength(2);
		const rows = champs.find((c) => c.label === 'Membres du bureau').rows;
		expect(rows).toHaveLength(2);
		expect(rows[0].champs.map((c) => c.stringValue)).toEqual([
			'Camille Martin',
			'Président',
			'1 septembre 2021',
		]);
		expect(Buffer.from(rows[0].champs[0].id, 'base64').toString()).toMatch(/^Champ-\d+\|/);
		expect(champs.some((c) => c.label === 'Nombre de bénéficiaires précédents')).toBe(true);
	});

	it('hides a conditional champ when its condition is not met (only visible champs)', async () => {
		await control(sandbox, 'POST', '/act/update', {
			number: sandbox.facts.everyChampDossier,
			values: { 'Avez-vous déjà déposé une demande ?': false },
		});
		const champs = (await showcase('id')).json.data.dossier.champs;
		expect(champs.some((c) => c.label === 'Nombre de bénéficiaires précédents')).toBe(false);
		await control(sandbox, 'POST', '/act/update', {
			number: sandbox.facts.everyChampDossier,
			values: { 'Avez-vous déjà déposé une demande ?': true },
		});
	});

	it('has every annotatable type filled', async () => {
		const res = await gql(
			sandbox,
			`{ dossier(number: ${sandbox.facts.everyChampDossier}) { annotations { label stringValue } } }`,
		);
		const annotations = res.json.data.dossier.annotations;
		expect(annotations).toHaveLength(21);
		// The file annotation has no file in the showcase (its downloads are the champs' and messages').
		expect(
			annotations
				.filter((a) => !['Dossier précédent', 'Contrôles', 'Rapport de visite'].includes(a.label))
				.every((a) => a.stringValue !== null),
		).toBe(true);
		expect(annotations.find((a) => a.label === 'Rapport de visite').stringValue).toBeNull();
	});
});

describe('files', () => {
	const filesQuery = () =>
		`{ dossier(number: ${sandbox.facts.everyChampDossier}) { pdf { url } champs { ... on PieceJustificativeChamp { files { filename checksum byteSizeBigInt contentType url } } } } }`;

	it('serves signed URLs on another host and port whose bytes match the checksum, without the token', async () => {
		await control(sandbox, 'DELETE', '/storage-requests');
		const res = await gql(sandbox, filesQuery());
		const files = res.json.data.dossier.champs.flatMap((c) => c.files || []);
		expect(files).toHaveLength(2);
		for (const file of files) {
			const url = new URL(file.url);
			expect(url.hostname).toBe('localhost');
			expect(url.origin).not.toBe(new URL(sandbox.url).origin);
			const response = await fetch(file.url);
			expect(response.status).toBe(200);
			const bytes = Buffer.from(await response.arrayBuffer());
			expect(bytes.length).toBe(Number(file.byteSizeBigInt));
			expect(crypto.createHash('md5').update(bytes).digest('base64')).toBe(file.checksum);
		}
		const pdf = await fetch(res.json.data.dossier.pdf.url);
		expect(pdf.status).toBe(200);
		const log = await control(sandbox, 'GET', '/storage-requests');
		expect(log).toHaveLength(3);
		expect(log.every((entry) => !('authorization' in entry.headers))).toBe(true);
	});

	it('refuses tampered and expired URLs with 403', async () => {
		const res = await gql(sandbox, filesQuery());
		const url = res.json.data.dossier.champs.flatMap((c) => c.files || [])[0].url;
		expect((await fetch(url.replace(/sig=[0-9a-f]{4}/, 'sig=0000'))).status).toBe(403);
		await control(sandbox, 'POST', '/clock', { advanceMs: 59 * 60 * 1000 });
		expect((await fetch(url)).status).toBe(200);
		await control(sandbox, 'POST', '/clock', { advanceMs: 2 * 60 * 1000 });
		expect((await fetch(url)).status).toBe(403);
	});

	it('signs links as Swift temporary URLs: temp_url_sig and temp_url_expires one hour ahead, in Unix seconds', async () => {
		const res = await gql(sandbox, filesQuery());
		const url = new URL(res.json.data.dossier.champs.flatMap((c) => c.files || [])[0].url);
		expect(url.searchParams.get('temp_url_sig')).toMatch(/^[0-9a-f]{64}$/);
		const expires = Number(url.searchParams.get('temp_url_expires'));
		expect(Math.abs(expires * 1000 - (Date.now() + 3600 * 1000))).toBeLessThan(5000);
	});

	it('act/attach puts files of any size on a piece justificative champ; a large one streams, byte-exact', async () => {
		const number = sandbox.facts.everyChampDossier;
		const byteSize = 60 * 1024 * 1024 + 7; // beyond what is ever held whole
		await control(sandbox, 'POST', '/act/attach', {
			number,
			champ: 'Justificatif de domicile',
			files: [{ filename: 'grand-plan.pdf', byteSize }, { filename: 'petit.txt', byteSize: 12, contentType: 'text/plain' }],
		});
		const res = await gql(sandbox, filesQuery());
		const files = res.json.data.dossier.champs.flatMap((c) => c.files || []);
		expect(files.map((f) => [f.filename, f.byteSizeBigInt, f.contentType])).toEqual([
			['grand-plan.pdf', String(byteSize), 'application/pdf'],
			['petit.txt', '12', 'text/plain'],
		]);
		const response = await fetch(files[0].url);
		expect(Number(response.headers.get('content-length'))).toBe(byteSize);
		const hash = crypto.createHash('md5');
		let received = 0;
		for await (const chunk of response.body) {
			hash.update(chunk);
			received += chunk.length;
		}
		expect(received).toBe(byteSize);
		expect(hash.digest('base64')).toBe(files[0].checksum);
		const refused = await control(sandbox, 'POST', '/act/attach', { number, champ: 'Commentaire', files: [] }).catch((e) => e);
		expect(String(refused.message || JSON.stringify(refused))).toMatch(/not a piece justificative champ/);
	});
});

describe('the showcase values, as written in seed.js', () => {
	it('prints dates in Paris time and French long dates in stringValue', async () => {
		const res = await gql(
			sandbox,
			`{ dossier(number: ${sandbox.facts.everyChampDossier}) { dateDepot datePassageEnInstruction usager { email }
			demandeur { ... on PersonnePhysique { nom prenom civilite dateDeNaissance } }
			champs { label stringValue ... on DatetimeChamp { datetime } ... on DateChamp { date } ... on AddressChamp { address { postalCode cityName } }
				... on DossierLinkChamp { dossier { number } } ... on LinkedDropDownListChamp { primaryValue secondaryValue } } } }`,
		);
		const dossier = res.json.data.dossier;
		expect(dossier.dateDepot).toBe('2024-02-05T10:30:00+01:00');
		expect(dossier.datePassageEnInstruction).toBe('2024-02-12T11:00:00+01:00');
		expect(dossier.usager.email).toBe('camille.martin@exemple.fr');
		expect(dossier.demandeur).toEqual({
			nom: 'Martin',
			prenom: 'Camille',
			civilite: 'Mme',
			dateDeNaissance: '1985-06-14',
		});
		const champ = (label) => dossier.champs.find((c) => c.label === label);
		expect(champ('Date et heure du rendez-vous')).toMatchObject({
			datetime: '2024-03-20T14:30:00+01:00',
			stringValue: '20 mars 2024 14:30',
		});
		expect(champ('Date de début')).toMatchObject({
			date: '2024-04-15',
			stringValue: '15 avril 2024',
		});
		expect(champ('Adresse du projet')).toMatchObject({
			stringValue: '12 rue des Tilleuls 69003 Lyon',
			address: { postalCode: '69003', cityName: 'Lyon' },
		});
		expect(champ('Secteur et activité')).toMatchObject({
			primaryValue: 'Social',
			secondaryValue: 'Aide alimentaire',
		});
		expect(champ('Dossier lié').dossier.number).toBe(sandbox.facts.everyChampLinkedDossier);
		expect(
			dossier.champs.filter((c) => c.label === 'Commentaire').map((c) => c.stringValue),
		).toEqual(['Premier commentaire', 'Second commentaire,\nsur deux lignes']);
	});
});
