/* Who handoff is to GitHub: a token the user gave (GITHUB_TOKEN or
 * --token-file), or a GitHub App. An App signs a JWT with its private key,
 * finds its installation for each repository owner and exchanges the JWT
 * for an installation token, which lasts an hour; tokens are kept per
 * installation and renewed before they run out. One hf_auth is shared by
 * every worker (it locks inside). Every token it hands out is registered as
 * a secret, so no message ever shows it. */
#ifndef HF_FORGE_AUTH_H
#define HF_FORGE_AUTH_H

#include <stdbool.h>

#include "forge/clock.h"
#include "forge/governor.h"
#include "util/error.h"

typedef struct hf_auth hf_auth;

/* Renew an installation token when less than this is left of it: enough for
 * the longest git operation or rate-limit wait to start on a fresh one. */
#define HF_AUTH_RENEW_MARGIN 600.0

/* A fixed token (copied). */
int hf_auth_new_token(hf_auth **out, const char *token, hf_error *err);

typedef struct hf_app_options {
    const char *app_id;    /* the App's numeric id */
    const char *key_path;  /* its PEM private key */
    const char *api_base;  /* NULL: api.github.com */
    const hf_clock *clock; /* NULL: the system clock; must outlive the auth */
    hf_governor *governor; /* shared with the REST clients; NULL: a private one */
    double renew_margin;   /* 0: HF_AUTH_RENEW_MARGIN */
} hf_app_options;

/* Checks the App id and loads the key; sends nothing yet. */
int hf_auth_new_app(hf_auth **out, const hf_app_options *opts, hf_error *err);
void hf_auth_free(hf_auth *a);

bool hf_auth_is_app(const hf_auth *a);

/* A token for the repository owner/repo that stays valid for at least the
 * renew margin (a token just minted is taken as it is): the fixed token, or
 * the installation token of owner, looked up (GET
 * /repos/{owner}/{repo}/installation, once per owner) and minted (POST
 * /app/installations/{id}/access_tokens) as needed. *token is the
 * caller's; hf_auth_token_free wipes and frees it. Errors say which App and
 * owner, and what GitHub answered. Returns 0, HF_AUTH_EREFUSED or -1. */
int hf_auth_token(hf_auth *a, const char *owner, const char *repo, char **token, hf_error *err);
/* What hf_auth_token returns when GitHub refused the App's JWT (401): the
 * key or the App id is wrong, for every owner alike. */
#define HF_AUTH_EREFUSED (-2)
void hf_auth_token_free(char *token);

/* A server refused token: it is forgotten, so the next hf_auth_token for
 * its installation mints another. Does nothing for a fixed token. */
void hf_auth_refused(hf_auth *a, const char *token);

/* For reports and tests: installations looked up and tokens minted. */
typedef struct hf_auth_stats {
    unsigned long lookups;
    unsigned long minted;
} hf_auth_stats;
void hf_auth_get_stats(hf_auth *a, hf_auth_stats *out);

#endif
