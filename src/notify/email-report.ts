// The monthly report mail to a client's contacts (docs/results.md): the previous calendar month's
// headline numbers against the month before, the daily charts as inline images, and a single-use
// link to the portal's Results tab. In the client's language, like the other contact mails.
import { type ClientMail, clientMailFrame, type MailContent, mailLanguage } from './email-text.js';

interface ReportWords {
  subject(client: string, month: string): string;
  intro(agency: string, client: string, month: string): string;
  labels: { posts: string; views: string; reach: string; engagements: string; clicks: string };
  up(pct: string): string;
  down(pct: string): string;
  same: string;
  noEarlier: string;
  charts: { followers: string; views: string };
  open: string;
  linkNote: string;
}

const WORDS: Record<string, ReportWords> = {
  en: {
    subject: (client, month) => `${client}: your results for ${month}`,
    intro: (agency, client, month) => `Here is what ${client}'s posts achieved in ${month}, prepared by ${agency}.`,
    labels: { posts: 'Posts published', views: 'Views', reach: 'Reach', engagements: 'Engagements', clicks: 'Clicks' },
    up: (pct) => `up ${pct} on the month before`,
    down: (pct) => `down ${pct} on the month before`,
    same: 'the same as the month before',
    noEarlier: 'no figure for the month before',
    charts: { followers: 'Followers per day', views: 'Views and reach per day' },
    open: 'See all results',
    linkNote: 'This button signs you in to your portal once; it works for 7 days.',
  },
  de: {
    subject: (client, month) => `${client}: Ihre Ergebnisse im ${month}`,
    intro: (agency, client, month) =>
      `Das haben die Beiträge von ${client} im ${month} erreicht, zusammengestellt von ${agency}.`,
    labels: {
      posts: 'Veröffentlichte Beiträge',
      views: 'Aufrufe',
      reach: 'Reichweite',
      engagements: 'Interaktionen',
      clicks: 'Klicks',
    },
    up: (pct) => `${pct} mehr als im Vormonat`,
    down: (pct) => `${pct} weniger als im Vormonat`,
    same: 'gleich wie im Vormonat',
    noEarlier: 'kein Wert für den Vormonat',
    charts: { followers: 'Follower pro Tag', views: 'Aufrufe und Reichweite pro Tag' },
    open: 'Alle Ergebnisse ansehen',
    linkNote: 'Diese Schaltfläche meldet Sie einmal in Ihrem Portal an; sie gilt 7 Tage.',
  },
  fr: {
    subject: (client, month) => `${client} : vos résultats de ${month}`,
    intro: (agency, client, month) =>
      `Voici ce que les publications de ${client} ont obtenu en ${month}, préparé par ${agency}.`,
    labels: {
      posts: 'Publications',
      views: 'Vues',
      reach: 'Couverture',
      engagements: 'Interactions',
      clicks: 'Clics',
    },
    up: (pct) => `en hausse de ${pct} sur le mois précédent`,
    down: (pct) => `en baisse de ${pct} sur le mois précédent`,
    same: 'comme le mois précédent',
    noEarlier: 'pas de chiffre pour le mois précédent',
    charts: { followers: 'Abonnés par jour', views: 'Vues et couverture par jour' },
    open: 'Voir tous les résultats',
    linkNote: 'Ce bouton vous connecte une fois à votre portail ; il est valable 7 jours.',
  },
  es: {
    subject: (client, month) => `${client}: sus resultados de ${month}`,
    intro: (agency, client, month) =>
      `Esto es lo que lograron las publicaciones de ${client} en ${month}, preparado por ${agency}.`,
    labels: {
      posts: 'Publicaciones',
      views: 'Visualizaciones',
      reach: 'Alcance',
      engagements: 'Interacciones',
      clicks: 'Clics',
    },
    up: (pct) => `${pct} más que el mes anterior`,
    down: (pct) => `${pct} menos que el mes anterior`,
    same: 'igual que el mes anterior',
    noEarlier: 'sin cifra del mes anterior',
    charts: { followers: 'Seguidores por día', views: 'Visualizaciones y alcance por día' },
    open: 'Ver todos los resultados',
    linkNote: 'Este botón inicia sesión en su portal una vez; es válido 7 días.',
  },
  it: {
    subject: (client, month) => `${client}: i vostri risultati di ${month}`,
    intro: (agency, client, month) =>
      `Ecco cosa hanno ottenuto i post di ${client} a ${month}, preparato da ${agency}.`,
    labels: {
      posts: 'Post pubblicati',
      views: 'Visualizzazioni',
      reach: 'Copertura',
      engagements: 'Interazioni',
      clicks: 'Clic',
    },
    up: (pct) => `${pct} in più del mese precedente`,
    down: (pct) => `${pct} in meno del mese precedente`,
    same: 'come il mese precedente',
    noEarlier: 'nessun dato per il mese precedente',
    charts: { followers: 'Follower al giorno', views: 'Visualizzazioni e copertura al giorno' },
    open: 'Vedi tutti i risultati',
    linkNote: 'Questo pulsante vi fa accedere una volta al portale; vale 7 giorni.',
  },
  nl: {
    subject: (client, month) => `${client}: uw resultaten van ${month}`,
    intro: (agency, client, month) =>
      `Dit hebben de berichten van ${client} in ${month} bereikt, samengesteld door ${agency}.`,
    labels: {
      posts: 'Gepubliceerde berichten',
      views: 'Weergaven',
      reach: 'Bereik',
      engagements: 'Interacties',
      clicks: 'Klikken',
    },
    up: (pct) => `${pct} meer dan de maand ervoor`,
    down: (pct) => `${pct} minder dan de maand ervoor`,
    same: 'gelijk aan de maand ervoor',
    noEarlier: 'geen cijfer voor de maand ervoor',
    charts: { followers: 'Volgers per dag', views: 'Weergaven en bereik per dag' },
    open: 'Alle resultaten bekijken',
    linkNote: 'Met deze knop logt u één keer in op uw portaal; hij is 7 dagen geldig.',
  },
  pt: {
    subject: (client, month) => `${client}: os seus resultados de ${month}`,
    intro: (agency, client, month) =>
      `Eis o que as publicações de ${client} alcançaram em ${month}, preparado por ${agency}.`,
    labels: {
      posts: 'Publicações',
      views: 'Visualizações',
      reach: 'Alcance',
      engagements: 'Interações',
      clicks: 'Cliques',
    },
    up: (pct) => `mais ${pct} do que no mês anterior`,
    down: (pct) => `menos ${pct} do que no mês anterior`,
    same: 'igual ao mês anterior',
    noEarlier: 'sem valor do mês anterior',
    charts: { followers: 'Seguidores por dia', views: 'Visualizações e alcance por dia' },
    open: 'Ver todos os resultados',
    linkNote: 'Este botão inicia sessão no seu portal uma vez; é válido 7 dias.',
  },
};

type Figures = Partial<Record<'posts' | 'views' | 'reach' | 'engagements' | 'clicks', number | null>>;

/** The report's words: the chart titles come from here too, so the images match the mail's language. */
export function reportWords(language: string): ReportWords {
  return WORDS[mailLanguage(language)]!;
}

export function reportMail(
  mail: ClientMail,
  report: {
    month: string;
    totals: Figures;
    previous: Figures;
    charts: ReadonlyArray<{ cid: string; title: string; svg: string }>;
  },
): MailContent {
  const lang = mailLanguage(mail.language);
  const words = WORDS[lang]!;
  const [year, m] = report.month.split('-').map(Number) as [number, number];
  const monthName = new Intl.DateTimeFormat(lang, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    Date.UTC(year, m - 1, 15),
  );
  const number = new Intl.NumberFormat(lang);
  const items = (['posts', 'views', 'reach', 'engagements', 'clicks'] as const).flatMap((key) => {
    const now = report.totals[key];
    if (now === null || now === undefined) return [];
    const before = report.previous[key] ?? null;
    let change = words.noEarlier;
    if (before !== null && before > 0) {
      const pct = `${Math.round(Math.abs((now - before) / before) * 100)}%`;
      change = now > before ? words.up(pct) : now < before ? words.down(pct) : words.same;
    } else if (before === 0 && now === 0) change = words.same;
    return [{ title: `${words.labels[key]}: ${number.format(now)}`, text: change }];
  });
  const subject = words.subject(mail.clientName, monthName);
  return {
    lang,
    subject,
    heading: subject,
    paragraphs: [words.intro(mail.agency, mail.clientName, monthName)],
    items,
    charts: report.charts,
    action: { label: words.open, url: mail.link },
    ...clientMailFrame(mail),
    // The link note after the button would need a new slot in every layout; it goes in the footer.
  };
}
