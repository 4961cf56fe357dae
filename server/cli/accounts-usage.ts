// Apart from accounts.command.ts so the help and the other commands do not load the store.
export const ACCOUNTS_USAGE = `  user add --email E --org O --role viewer|editor|admin
               Add a user; the password is read from stdin (piped, or typed without echo), never argv
  user join --email E --org O --role viewer|editor|admin
               Add an existing user to another organisation directly (admins invite instead)
  user list    List users with their organisations and roles
  user disable --email E
               Disable a user and end all their sessions and API tokens
  user enable --email E
               Enable a disabled user again
  user reset-password --email E
               Set a new password (read from stdin); ends the user's sessions and API tokens
  org add SLUG [--name "Display name"]
               Add an organisation (tenant)
  org list     List organisations
               user/org use the metadata store of the project in the current folder, or of
               --project DIR, or --data-dir DIR (as TRELLIS_DATA_DIR; TRELLIS_METADATA_URL wins)
`;
