/* voice/sentences.c: when-and-with-whom and word counts of what an agent says (see sentences.h). */
#include "voice/sentences.h"

#include <stdbool.h>
#include <stdio.h>

void vc_say_when(json_object *o, char *buf, size_t cap)
{
    json_object *spoken = NULL, *who = NULL;
    json_object_object_get_ex(o, "spoken", &spoken);
    json_object_object_get_ex(o, "staff_member_name", &who);
    const char *s = spoken != NULL ? json_object_get_string(spoken) : "";
    const char *w = who != NULL && json_object_is_type(who, json_type_string) ? json_object_get_string(who) : "";
    if (s[0] == '\0') s = "the time you chose";
    if (w[0] != '\0')
        snprintf(buf, cap, "%s with %s", s, w);
    else
        snprintf(buf, cap, "%s", s);
}

void vc_say_booked(json_object *o, bool requested, char *buf, size_t cap)
{
    char when[384];
    vc_say_when(o, when, sizeof(when));
    if (requested) snprintf(buf, cap, "I've requested %s; the clinic will text you to confirm.", when);
    else snprintf(buf, cap, "You're booked for %s.", when);
}

size_t vc_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        bool space = *s == ' ' || *s == '\t' || *s == '\n';
        if (!space && !in) n++;
        in = !space;
    }
    return n;
}
