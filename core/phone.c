/* core/phone.c: E.164 phone normaliser and e-mail lower-casing (see phone.h). */
#include "core/phone.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_DIGITS 15 /* E.164 */
#define MIN_DIGITS 8  /* shortest plausible international number with its country code */

typedef struct plan {
    const char *countries[3];
    const char *code;         /* country calling code */
    const char *intl_prefix;  /* dialled before an international number, besides "00" */
    int min_national, max_national; /* significant national digits (without the trunk 0) */
    bool trunk_zero;          /* national numbers start with a 0 that E.164 drops */
} plan_t;

static const plan_t plans[] = {
    {{"AU", NULL, NULL}, "61", "0011", 9, 9, true},
    {{"NZ", NULL, NULL}, "64", "00", 8, 10, true},
    {{"GB", "UK", NULL}, "44", "00", 9, 10, true},
    {{"US", "CA", NULL}, "1", "011", 10, 10, false},
};

static void say(char *why, size_t cap, const char *text)
{
    if (why != NULL && cap > 0) snprintf(why, cap, "%s", text);
}

static const plan_t *plan_of(const char *country)
{
    if (country == NULL) return NULL;
    for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++)
        for (int k = 0; k < 3 && plans[i].countries[k] != NULL; k++)
            if (strcasecmp(plans[i].countries[k], country) == 0) return &plans[i];
    return NULL;
}

static int international(const char *digits, size_t n, char out[BK_PHONE_CAP], char *why, size_t why_cap)
{
    if (n < MIN_DIGITS || n > MAX_DIGITS || digits[0] == '0') {
        say(why, why_cap, "an international number has 8 to 15 digits after the country code's +");
        return -1;
    }
    out[0] = '+';
    memcpy(out + 1, digits, n);
    out[n + 1] = '\0';
    return 0;
}

int bk_phone_normalize(const char *in, const char *country, char out[BK_PHONE_CAP], char *why, size_t why_cap)
{
    char digits[32];
    size_t n = 0;
    bool plus = false, seen = false;
    out[0] = '\0';
    if (in == NULL) {
        say(why, why_cap, "no number");
        return -1;
    }
    for (const char *p = in; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (isdigit(c)) {
            if (n + 1 >= sizeof(digits)) {
                say(why, why_cap, "too many digits");
                return -1;
            }
            digits[n++] = (char)c;
            seen = true;
        } else if (c == '+' && !seen && !plus) {
            plus = true;
        } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t') {
            continue;
        } else {
            say(why, why_cap, "only digits, spaces, dashes, dots, parentheses and a leading + are allowed");
            return -1;
        }
    }
    digits[n] = '\0';
    if (n == 0) {
        say(why, why_cap, "no digits");
        return -1;
    }
    if (plus) return international(digits, n, out, why, why_cap);
    const plan_t *plan = plan_of(country);
    if (plan != NULL && strcmp(plan->intl_prefix, "00") != 0) {
        size_t k = strlen(plan->intl_prefix);
        if (n > k && strncmp(digits, plan->intl_prefix, k) == 0) return international(digits + k, n - k, out, why,
                                                                                         why_cap);
    }
    if (n > 2 && digits[0] == '0' && digits[1] == '0') return international(digits + 2, n - 2, out, why, why_cap);
    if (plan == NULL) {
        say(why, why_cap, "a national number needs the clinic's country; write it with + and the country code");
        return -1;
    }
    const char *national = digits;
    size_t len = n;
    size_t code_len = strlen(plan->code);
    if (plan->trunk_zero && national[0] == '0') {
        national++;
        len--;
    } else if (!plan->trunk_zero && len == (size_t)plan->max_national + code_len &&
               strncmp(national, plan->code, code_len) == 0) {
        national += code_len; /* 1 415 555 0100 */
        len -= code_len;
    } else if (plan->trunk_zero && len >= (size_t)plan->min_national + code_len &&
               len <= (size_t)plan->max_national + code_len && strncmp(national, plan->code, code_len) == 0) {
        national += code_len; /* 61 412 345 678 written without the + */
        len -= code_len;
    }
    if (len < (size_t)plan->min_national || len > (size_t)plan->max_national || national[0] == '0') {
        say(why, why_cap, "the number has the wrong number of digits for the clinic's country");
        return -1;
    }
    if (!plan->trunk_zero && (national[0] < '2' || national[3] < '2')) {
        say(why, why_cap, "not a valid North American number (area code and exchange start with 2-9)");
        return -1;
    }
    if (code_len + len > MAX_DIGITS) {
        say(why, why_cap, "too many digits");
        return -1;
    }
    out[0] = '+';
    memcpy(out + 1, plan->code, code_len);
    memcpy(out + 1 + code_len, national, len);
    out[1 + code_len + len] = '\0';
    return 0;
}

int bk_email_normalize(const char *in, char out[BK_EMAIL_CAP])
{
    out[0] = '\0';
    if (in == NULL) return -1;
    while (*in == ' ' || *in == '\t') in++;
    size_t len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t')) len--;
    if (len == 0 || len >= BK_EMAIL_CAP) return -1;
    size_t at = len, ats = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= ' ' || c == 0x7f) return -1;
        if (c == '@') {
            at = i;
            ats++;
        }
        out[i] = (char)tolower(c);
    }
    out[len] = '\0';
    if (ats != 1 || at == 0 || at + 1 >= len) goto bad;
    const char *dot = strchr(out + at + 1, '.');
    if (dot == NULL || dot == out + at + 1 || dot[1] == '\0') goto bad;
    return 0;
bad:
    out[0] = '\0';
    return -1;
}
