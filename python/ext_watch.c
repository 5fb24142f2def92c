/*
 * What the library's callbacks need from Python while a call runs with the GIL released:
 * progress events handed to a Python callable, and Ctrl-C noticed. Callbacks come from the
 * calling thread or from the library's own threads, so each one takes the GIL with
 * PyGILState_Ensure (never assuming it holds it) and gives it back before returning.
 *
 * Signals: Python runs its handlers only on the main thread, so only the thread that made the
 * call (the owner) runs PyErr_CheckSignals; when a handler raises (KeyboardInterrupt), the
 * exception is taken out of the thread state and `stop` is set, which the other threads
 * read. ext_watch_end puts the exception back once the call has returned.
 */
#include "ext.h"

void ext_watch_init(ext_watch *w, PyObject *progress)
{
	memset(w, 0, sizeof(*w));
	w->owner = pthread_self();
	w->progress = progress && progress != Py_None ? progress : NULL;
	Py_XINCREF(w->progress);
}

int ext_watch_poll(ext_watch *w)
{
	PyGILState_STATE g;
	if (__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
		return 1;
	if (!pthread_equal(pthread_self(), w->owner))
		return 0;
	g = PyGILState_Ensure();
	if (PyErr_CheckSignals() < 0) {
		PyErr_Fetch(&w->exc_type, &w->exc_value, &w->exc_tb);
		__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	}
	PyGILState_Release(g);
	return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE);
}

void ext_watch_event(ext_watch *w, const char *what, uint64_t done, uint64_t total)
{
	PyGILState_STATE g;
	PyObject *r;
	if (!w->progress)
		return;
	g = PyGILState_Ensure();
	r = PyObject_CallFunction(w->progress, "sKK", what, (unsigned long long)done, (unsigned long long)total);
	if (r)
		Py_DECREF(r);
	else
		PyErr_WriteUnraisable(w->progress); /* a broken display must not stop the push */
	PyGILState_Release(g);
}

void ext_ds_progress(void *payload, const char *what, uint64_t done, uint64_t total)
{
	ext_watch_event(payload, what, done, total);
}

int ext_watch_end(ext_watch *w)
{
	int raised = w->exc_type != NULL;
	if (raised)
		PyErr_Restore(w->exc_type, w->exc_value, w->exc_tb);
	w->exc_type = w->exc_value = w->exc_tb = NULL;
	Py_CLEAR(w->progress);
	return raised ? -1 : 0;
}
