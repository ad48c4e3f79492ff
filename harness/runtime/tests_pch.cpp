// Owner of the shared precompiled header for problem test objects (see tests_pch.h).
#include "tests_pch.h"
