#ifndef ASYNCPLAY_CEDITLINE_SHIM_H
#define ASYNCPLAY_CEDITLINE_SHIM_H
// The readline-compatible API of libedit. Not <readline/readline.h>: GNU readline's
// headers may also be installed and own that path.
#include <stdio.h>
#include <wchar.h>
#include <editline/readline.h>
// The native API. The shell uses it rather than the readline layer because only the
// native API hands callbacks the EditLine* (and so the cursor position, which is needed
// to print above a half-typed line that wraps). Most of it is variadic (el_set, el_get,
// history_w), which Swift cannot call: the wrappers below are the fixed-argument doors.
#include <histedit.h>

// wcwidth is X/Open: glibc declares it only under _XOPEN_SOURCE, which Swift's Glibc
// module is not built with. libedit measures characters with it, so the shell must too.
int wcwidth(wchar_t c);
static inline int asyncplay_wcwidth(wchar_t c) {
    return wcwidth(c);
}

// el_init on the process's standard streams (stdin/stdout are C globals Swift 6
// treats as unsafe shared state; reading them here keeps that out of Swift).
static inline EditLine *asyncplay_el_init(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}

static inline int asyncplay_el_set_editor(EditLine *e, const char *mode) {
    return el_set(e, EL_EDITOR, mode);
}

// 0: libedit installs no signal handlers of its own (the shell handles signals).
static inline int asyncplay_el_set_signal(EditLine *e, int handle) {
    return el_set(e, EL_SIGNAL, handle);
}

static inline int asyncplay_el_set_getcfn(EditLine *e, el_rfunc_t read_char) {
    return el_set(e, EL_GETCFN, read_char);
}

// A wide prompt function; `ignore` toggles "invisible" spans (escape sequences).
static inline int asyncplay_el_set_wprompt(EditLine *e, wchar_t *(*prompt)(EditLine *),
                                           wchar_t ignore) {
    return el_wset(e, EL_PROMPT_ESC, prompt, (int)ignore);
}

static inline int asyncplay_el_addfn(EditLine *e, const char *name, const char *help,
                                     unsigned char (*fn)(EditLine *, int)) {
    return el_set(e, EL_ADDFN, name, help, fn);
}

static inline int asyncplay_el_bind(EditLine *e, const char *keys, const char *command) {
    return el_set(e, EL_BIND, keys, command, (const char *)NULL);
}

// Forgets what libedit believes is on screen and redraws prompt and line from the
// cursor's current position, which must be the first column of a free row.
static inline int asyncplay_el_refresh(EditLine *e) {
    return el_set(e, EL_REFRESH);
}

// 1: the editing (raw) terminal modes; 0: the modes libedit found.
static inline int asyncplay_el_prep_term(EditLine *e, int editing) {
    return el_set(e, EL_PREP_TERM, editing);
}

// The width libedit wraps the line at (it re-reads the window size in el_resize).
static inline int asyncplay_el_columns(EditLine *e) {
    int columns = 0;
    if (el_get(e, EL_GETTC, "co", &columns) != 0)
        return 0;
    return columns;
}

static inline int asyncplay_el_set_whistory(EditLine *e, HistoryW *h) {
    return el_wset(e, EL_HIST, history_w, h);
}

static inline int asyncplay_history_w_setsize(HistoryW *h, int size) {
    HistEventW ev;
    return history_w(h, &ev, H_SETSIZE, size);
}

static inline int asyncplay_history_w_enter(HistoryW *h, const wchar_t *line) {
    HistEventW ev;
    return history_w(h, &ev, H_ENTER, line);
}

static inline int asyncplay_history_w_clear(HistoryW *h) {
    HistEventW ev;
    return history_w(h, &ev, H_CLEAR);
}

#endif
