# SPDX-License-Identifier: Apache-2.0
# One place for warnings, Qt strictness and sanitizers; every project target calls twinspect_set_compiler_flags().

add_library(twinspect_qt_strict INTERFACE)
target_compile_definitions(twinspect_qt_strict INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)

function(twinspect_set_compiler_flags target)
    target_link_libraries(${target} PRIVATE twinspect_qt_strict)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual
                                             -Wcast-align -Wnull-dereference -Wimplicit-fallthrough)
    if(TWINSPECT_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(TWINSPECT_FUZZ)
        # Coverage for the libraries too, or libFuzzer sees only the harness (167 edges against
        # 3,700 for the Sparkplug decoder); the harness itself links the fuzzer runtime.
        target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    endif()
    if(TWINSPECT_SANITIZE)
        target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
        target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
endfunction()
