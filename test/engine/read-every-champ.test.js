'use strict';
/**
 * The simplified output of the "every champ" dossier (démarche 1001, dossier 10001) against an
 * expectation written by hand from the sandbox's seed (sandbox/lib/seed.js, SHOWCASE): every value
 * below is read off the seed, with the platform's formats (Paris dates with offset, global IDs as
 * base64("<Type>-<id>")). Only the SIRET's address and capital, drawn at random by the sandbox, and
 * signed URLs and checksums are matched by shape.
 */
const { startReadSandbox, runNode, byId } = require('./read-support');

let sb;
beforeAll(async () => {
	sb = await startReadSandbox({ size: 300 });
});
afterAll(async () => {
	await sb?.stop();
});

const checksum = expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/);
const storageUrl = () => expect.stringMatching(new RegExp(`^${sb.storageUrl.replace(/[.]/g, '\\.')}/blobs/`));
const geoAreaId = (id) => Buffer.from(`GeoArea-${id}`).toString('base64');

const gid = (type, id) => Buffer.from(`${type}-${id}`).toString('base64');
const pdfFile = (filename, byteSize) => ({ filename, contentType: 'application/pdf', byteSize, checksum, url: storageUrl() });
const linked = () => sb.facts.everyChampLinkedDossier;

function expectedAnnotations() {
	return {
		'Note interne': 'Dossier prioritaire',
		'Avis détaillé': 'Projet cohérent avec la politique de la ville.',
		'E-mail du référent': 'referent@demarches-exemple.gouv.fr',
		'Pièces vérifiées': true,
		'Visite sur place nécessaire': false,
		'Date de la commission': '2024-06-18',
		'Rendez-vous': '2024-06-20T10:30:00+02:00',
		Score: 17,
		'Montant accordé': 10000.25,
		Priorité: 'Haute',
		'Services consultés': ['Urbanisme', 'Finances'],
		'Dossier précédent': linked(),
		Contrôles: [{ 'Date du contrôle': '2024-07-01', Résultat: 'Conforme' }],
		// The 2026 annotation types, shaped as the champs of the same types.
		'Téléphone du référent': '04 72 10 30 30',
		'IBAN du bénéficiaire': 'FR76 3000 6000 0112 3456 7890 189',
		'Civilité du référent': 'M',
		'Pays du partenaire': { code: 'BE', name: 'Belgique' },
		'Région du projet': { code: '84', name: 'Auvergne-Rhône-Alpes' },
		'Département du projet': { code: '69', name: 'Rhône' },
		'Rapport de visite': [],
		'Commune du site': { name: 'Lyon', code: '69123', postalCode: '69001', departementCode: '69', departementName: 'Rhône' },
	};
}

function expectedChamps() {
	return {
		'Nom du projet': 'Jardin partagé des Tilleuls',
		'Description du projet':
			'Création d’un jardin partagé de 400 m² au pied des immeubles.\nOuvert à tous les habitants du quartier.',
		'Adresse électronique de contact': 'contact@jardin-tilleuls.fr',
		Téléphone: '06 12 34 56 78',
		IBAN: 'FR76 3000 6000 0112 3456 7890 189',
		'Date de début': '2024-04-15',
		'Date et heure du rendez-vous': '2024-03-20T14:30:00+01:00',
		'J’accepte les conditions générales': true,
		'Avez-vous déjà déposé une demande ?': true,
		'Nombre de bénéficiaires précédents': 120,
		'Population concernée': '9007199254740993',
		'Montant en euros': 12500.5,
		'Type de structure': 'Association',
		'Publics visés': ['Enfants', 'Seniors'],
		'Secteur et activité': { primary: 'Social', secondary: 'Aide alimentaire' },
		'Justificatif de domicile': [pdfFile('justificatif-domicile.pdf', 2048), pdfFile('quittance-loyer.pdf', 5120)],
		'Membres du bureau': [
			{ 'Nom et prénom': 'Camille Martin', Fonction: 'Président', 'Date d’entrée': '2021-09-01' },
			{ 'Nom et prénom': 'Hugo Bernard', Fonction: 'Trésorier', 'Date d’entrée': '2022-01-15' },
		],
		'Emprise du projet': [
			{ id: gid('GeoArea', '100011'), source: 'selection_utilisateur', description: 'Zone du jardin' },
			{ id: gid('GeoArea', '100012'), source: 'cadastre' },
		],
		'Adresse du projet': {
			label: '12 rue des Tilleuls 69003 Lyon',
			type: 'housenumber',
			streetAddress: '12 rue des Tilleuls',
			streetNumber: '12',
			streetName: 'rue des Tilleuls',
			postalCode: '69003',
			cityName: 'Lyon',
			cityCode: '69123',
			departmentCode: '69',
			departmentName: 'Rhône',
			regionCode: '84',
			regionName: 'Auvergne-Rhône-Alpes',
			countryCode: 'FR',
			countryName: 'France',
		},
		Commune: { name: 'Lyon', code: '69123', postalCode: '69001', departementCode: '69', departementName: 'Rhône' },
		Département: { code: '69', name: 'Rhône' },
		Région: { code: '84', name: 'Auvergne-Rhône-Alpes' },
		'Pays de naissance': { code: 'FR', name: 'France' },
		Intercommunalité: { code: '200046977', name: 'Métropole de Lyon', departementCode: '69', departementName: 'Rhône' },
		'SIRET de l’entreprise': {
			siret: '41857984504807',
			siegeSocial: expect.any(Boolean),
			naf: '5610A',
			libelleNaf: 'Restauration traditionnelle',
			siren: '418579845',
			raisonSociale: 'TERRASSES ET COMPAGNIE',
			nomCommercial: 'TERRASSES ET COMPAGNIE',
			formeJuridique: 'SARL, société à responsabilité limitée',
			formeJuridiqueCode: '5499',
			etatAdministratif: 'Actif',
			dateCreation: '2012-04-02',
			capitalSocial: expect.any(Number),
			numeroTvaIntracommunautaire: expect.stringMatching(/^FR\d{2}418579845$/),
			address: expect.objectContaining({ type: 'housenumber', countryCode: 'FR', label: expect.any(String) }),
		},
		'Numéro RNA': { rna: 'W691112223', title: 'Club Sportif des Pentes' },
		'Numéro RNF': { rnf: '069-FDD-00042-01', title: 'Fondation pour le patrimoine local' },
		Civilité: 'Mme',
		'Dossier lié': linked(),
		'Engagement juridique': { montantEngage: 15000, montantPaye: 5000 },
		'Titre d’identité': { filled: true, grantType: 'piece_justificative' },
		Commentaire: 'Premier commentaire',
		'Commentaire (2)': 'Second commentaire,\nsur deux lignes',
		'Référence interne du demandeur': 'REF-2024-001',
	};
}

const CLAIRE = 'claire.martin@demarches-exemple.gouv.fr';
const CAMILLE = 'camille.martin@exemple.fr';
const PLATFORM = 'contact@demarche.numerique.gouv.fr'; // the messages the platform posts itself
const TITLE = 'Démarche de démonstration : tous les types de champs';

function expectedDossier() {
	return {
		number: 10001,
		id: gid('Dossier', 10001),
		state: 'en_instruction',
		archived: false,
		dateDepot: '2024-02-05T10:30:00+01:00',
		datePassageEnInstruction: '2024-02-12T11:00:00+01:00',
		dateTraitement: null,
		dateDerniereModification: '2024-02-16T16:00:00+01:00',
		demarche: { number: 1001, title: 'Démarche de démonstration : tous les types de champs' },
		groupeInstructeur: { number: 502, label: 'Instruction renforcée' },
		demandeur: { type: 'personnePhysique', civilite: 'Mme', nom: 'Martin', prenom: 'Camille', email: CAMILLE, dateDeNaissance: '1985-06-14' },
		usager: { email: CAMILLE },
		motivation: null,
		labels: ['Urgent', 'À relancer'],
		instructeurs: [CLAIRE],
		champs: expectedChamps(),
		annotations: expectedAnnotations(),
		// In created_at order, with the platform's own message at each state change (deposit, instruction).
		messages: [
			{
				id: gid('Commentaire', 1_000_000_000 + 10001 * 100),
				email: PLATFORM,
				body: `<p>[Votre dossier n° 10001 a bien été déposé (${TITLE})]</p><p>Bonjour,</p><p>Votre dossier n° 10001 <strong>a bien été déposé</strong>. Si besoin est, vous pouvez encore y apporter des modifications.</p><p>Cordialement,<br>Direction du numérique</p>`,
				createdAt: '2024-02-05T10:30:00+01:00',
				attachments: [],
			},
			{ id: gid('Commentaire', 100019), email: CAMILLE, body: 'Bonjour, je joins le justificatif demandé.', createdAt: '2024-02-06T09:00:00+01:00', attachments: [] },
			{
				id: gid('Commentaire', 1_000_000_000 + 10001 * 100 + 1),
				email: PLATFORM,
				body: `<p>[Votre dossier n° 10001 va être examiné (${TITLE})]</p><p>Bonjour,</p><p>Votre dossier n° 10001 a bien été reçu et <strong>pris en charge</strong>. Il va maintenant être examiné par le service.</p><p>Cordialement,<br>Direction du numérique</p>`,
				createdAt: '2024-02-12T11:00:00+01:00',
				attachments: [],
			},
			{
				id: gid('Commentaire', 100018),
				email: CLAIRE,
				body: 'Merci de joindre le plan de financement signé.',
				createdAt: '2024-02-13T10:15:00+01:00',
				correction: { reason: 'incomplete' },
				attachments: [pdfFile('modele-plan-de-financement.pdf', 3072)],
			},
		],
		avis: [
			{
				id: gid('Avis', 100019),
				question: 'Le projet respecte-t-il le règlement de voirie ?',
				reponse: 'Oui, sous réserve d’un balisage du chantier.',
				dateQuestion: '2024-02-14T11:00:00+01:00',
				dateReponse: '2024-02-16T16:00:00+01:00',
				claimant: CLAIRE,
				expert: 'expert.voirie@exemple.gouv.fr',
				attachments: [pdfFile('avis-voirie.pdf', 4096)],
			},
		],
		traitements: [
			{ id: gid('Traitement', 1000100), event: 'depose', state: 'en_construction', dateTraitement: '2024-02-05T10:30:00+01:00' },
			{ id: gid('Traitement', 1000101), event: 'passe_en_instruction', state: 'en_instruction', dateTraitement: '2024-02-12T11:00:00+01:00', emailAgentTraitant: CLAIRE },
		],
		attestation: null,
		justificatif: null,
		pdf: { filename: 'dossier-10001.pdf', contentType: 'application/pdf', byteSize: expect.any(Number), checksum, url: storageUrl() },
	};
}

describe('the simplified "every champ" dossier', () => {
	let dossier;
	beforeAll(async () => {
		const { json, error } = await runNode(sb, {
			resource: 'dossier',
			operation: 'get',
			dossier: byId(10001),
			include: { messages: true, avis: true, traitements: true },
		});
		expect(error).toBeUndefined();
		dossier = json[0];
	});

	it('has the linked dossier the seed names', () => {
		expect(typeof linked()).toBe('number');
	});

	it('has every champ typed, keyed by label, in form order', () => {
		expect(dossier.champs).toEqual(expectedChamps());
		expect(Object.keys(dossier.champs)).toEqual(Object.keys(expectedChamps()));
	});

	it('has every annotation typed', () => {
		expect(dossier.annotations).toEqual(expectedAnnotations());
	});

	it('is the whole contract dossier', () => {
		expect(dossier).toEqual(expectedDossier());
	});

	it('gives map areas with their GeoJSON geometry when asked', async () => {
		const { json } = await runNode(sb, { resource: 'dossier', operation: 'get', dossier: byId(10001), include: { geometry: true } });
		expect(json[0].champs['Emprise du projet']).toEqual([
			{
				id: gid('GeoArea', '100011'),
				source: 'selection_utilisateur',
				description: 'Zone du jardin',
				geometry: { type: 'Polygon', coordinates: [[[4.86, 45.757], [4.8606, 45.757], [4.8606, 45.7574], [4.86, 45.7574], [4.86, 45.757]]] },
			},
			{
				id: gid('GeoArea', '100012'),
				source: 'cadastre',
				geometry: { type: 'Polygon', coordinates: [[[4.86, 45.757], [4.8603, 45.757], [4.8603, 45.7572], [4.86, 45.7572], [4.86, 45.757]]] },
			},
		]);
	});

	it('is the same dossier through getMany', async () => {
		const { json } = await runNode(sb, {
			resource: 'dossier',
			operation: 'getMany',
			demarche: byId(1001),
			returnAll: true,
			include: { messages: true, avis: true, traitements: true },
		});
		expect(json.find((d) => d.number === 10001)).toEqual(expectedDossier());
	});
});
