import type { enErrors } from './en-errors.js';

/**
 * The English catalogue: every UI string, by key (typed: a key used but missing here is a type
 * error). Plurals use i18next's suffixes (_one, _other: Intl.PluralRules decides); {{name}} is
 * interpolated. Error messages are in en-errors.ts, kept out of the first page: in English the
 * UI shows the server's own message (app/i18n/error-message.ts); the file is the list other languages
 * translate (messages.test.ts checks every code of docs/errors.md is there).
 */
export const en = {
  common: {
    retry: 'Retry',
    retrying: 'Retrying…',
    requestId: 'Request id:',
    allDashboards: 'All dashboards',
    notFound: 'Not found',
    nothingHere: 'There is nothing at this address.',
    somethingWrong: 'Something went wrong',
    skipToContent: 'Skip to content',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signingOut: 'Signing out…',
    loading: 'Loading…',
  },
  nav: {
    main: 'Main',
    dashboards: 'Dashboards',
    jobs: 'Jobs',
    exports: 'Exports',
    data: 'Data',
    account: 'Account',
    admin: 'Admin',
    accountMenu: 'Account menu for {{email}}',
    yourRole: 'Your role in this organisation',
    organisation: 'Organisation',
    breadcrumb: 'Breadcrumb',
  },
  roles: { viewer: 'Viewer', editor: 'Editor', admin: 'Admin' },
  theme: {
    legend: 'Theme',
    light: 'Light',
    dark: 'Dark',
    system: 'System',
    action: 'Theme: {{name}}',
    followSystem: 'Follow the system',
  },
  language: {
    legend: 'Language',
    action: 'Language: {{name}}',
    hint: 'Language',
    failed: 'The language could not be saved: {{message}}',
  },
  list: {
    dashboards_one: '{{count}} dashboard',
    dashboards_other: '{{count}} dashboards',
    widgets_one: '{{count}} widget',
    widgets_other: '{{count}} widgets',
    emptyTitle: 'No dashboards yet',
    emptyHelp:
      'Add a file under dashboards/ in the project folder, check it with trellis check, and restart the server.',
  },
  dashboard: {
    arrange: 'Arrange',
    refreshing: 'Refreshing data…',
    refreshingBy: 'Being refreshed by {{pipelines}}; widgets update when it writes.',
    staleSince: 'Showing data from {{time}}',
    staleRest: '; the data source is unavailable. Widgets update by themselves when it is back.',
    loadingArranger: 'Loading the arranger…',
  },
  filters: {
    label: 'Filters',
    any: 'Any',
    add: 'Add…',
    remove: 'Remove {{value}} from {{filter}}',
    optionsFailed: 'Could not load options: {{message}}',
    noMatches: 'No matching values',
    firstOnly: 'Showing the first {{count}}; type to narrow down.',
    from: 'From',
    to: 'To',
    min: 'Min',
    max: 'Max',
    enterNumber: 'Enter a number.',
    contains: 'Contains…',
    fromCharts: 'From charts:',
    appliedFromCharts: 'Applied from charts',
    setFrom: 'Set from “{{source}}”',
    clear: 'Clear {{text}}',
  },
  widget: {
    noData: 'No data for these filters',
    viewAsTable: 'View as table',
    showChart: 'Show chart',
    staleTitle: 'The data source is unavailable; this is the last result it gave.',
    dataFrom: 'Data from {{time}}',
    drillOf: 'Drill-down of {{title}}',
  },
  format: { notSet: 'Not set', yes: 'Yes', no: 'No' },
  palette: {
    label: 'Command palette',
    placeholder: 'Jump to a dashboard or page, or search (e.g. an NCT ID)',
    searching: 'Searching…',
    searchFailed: 'Search failed: {{message}}',
    nothing: 'Nothing matches “{{text}}”.',
    found: 'Found',
    foundFirst: 'Found (the first matches)',
    dashboards: 'Dashboards',
    pages: 'Pages',
    actions: 'Actions',
    thisDashboard: 'This dashboard',
    current: 'Current',
    shortcuts: 'Keyboard shortcuts',
    move: 'to move',
    open: 'to open',
    close: 'to close',
  },
  shortcuts: {
    title: 'Keyboard shortcuts',
    note: 'Letter keys do nothing while you type in a field.',
    then: 'then',
    close: 'Close',
    does: {
      palette: 'Open the command palette (⌘K on a Mac)',
      help: 'Show these shortcuts',
      'go-dashboards': 'Go to the dashboards',
      'go-jobs': 'Go to Jobs',
      'focus-filters': 'Focus the dashboard’s filters',
      refresh: 'Refresh the dashboard',
      'previous-dashboard': 'Previous dashboard',
      'next-dashboard': 'Next dashboard',
    },
  },
} as const;

/** The English catalogue as i18next types it: the UI's strings and the error messages. */
export type EnglishCatalogue = typeof en & { readonly errors: typeof enErrors };

/** The shape every other language's catalogue must have: the same keys, any text. */
type Widen<T> = { readonly [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
export type Messages = Widen<EnglishCatalogue>;
