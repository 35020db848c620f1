// The prefetch hint is a static inline function in include/CPrefetch.h; a C target needs
// one source file to build.
#include "CPrefetch.h"
