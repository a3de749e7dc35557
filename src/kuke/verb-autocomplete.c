/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <string.h>

#include "kuke.h"

/* The scripts ask kuke itself for live names (kuke get realms -o names), with the connection
 * options of the command line being completed and --no-ask-password, so completing never
 * prompts. Static parts (verbs, types, options) are spelled out here. */

static const char bash_script[] =
        "# bash completion for kuke: source <(kuke autocomplete bash)\n"
        "_kuke_names() {\n"
        "        kuke \"${_kuke_conn[@]}\" --no-ask-password get \"$@\" -o names 2>/dev/null\n"
        "}\n"
        "_kuke() {\n"
        "        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
        "        local verbs='init get create apply delete purge version autocomplete help'\n"
        "        local types='realm realms space spaces stack stacks'\n"
        "        local conn_opts='--host -H --no-daemon --no-ask-password'\n"
        "        local i w verb='' type='' name='' realm='' space=''\n"
        "        _kuke_conn=()\n"
        "        for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "                w=${COMP_WORDS[i]}\n"
        "                case $w in\n"
        "                --realm) realm=${COMP_WORDS[i+1]}; ((i++)) ;;\n"
        "                --realm=*) realm=${w#--realm=} ;;\n"
        "                --space) space=${COMP_WORDS[i+1]}; ((i++)) ;;\n"
        "                --space=*) space=${w#--space=} ;;\n"
        "                -H|--host) _kuke_conn+=(--host \"${COMP_WORDS[i+1]}\"); ((i++)) ;;\n"
        "                --host=*) _kuke_conn+=(\"$w\") ;;\n"
        "                --no-daemon) _kuke_conn+=(\"$w\") ;;\n"
        "                -o|--output|-f|--filename) ((i++)) ;;\n"
        "                -*) ;;\n"
        "                *)\n"
        "                        if [[ -z $verb ]]; then verb=$w\n"
        "                        elif [[ -z $type ]]; then type=$w\n"
        "                        elif [[ -z $name ]]; then name=$w\n"
        "                        fi ;;\n"
        "                esac\n"
        "        done\n"
        "        local parents=()\n"
        "        [[ -n $realm ]] && parents+=(--realm \"$realm\")\n"
        "        [[ -n $space ]] && parents+=(--space \"$space\")\n"
        "        case $prev in\n"
        "        -o|--output) mapfile -t COMPREPLY < <(compgen -W 'yaml json' -- \"$cur\"); return ;;\n"
        "        -f|--filename) mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); return ;;\n"
        "        --realm) mapfile -t COMPREPLY < <(compgen -W \"$(_kuke_names realms)\" -- \"$cur\"); return ;;\n"
        "        --space) mapfile -t COMPREPLY < <(compgen -W \"$(_kuke_names spaces ${realm:+--realm \"$realm\"})\" -- \"$cur\"); return ;;\n"
        "        -H|--host) return ;;\n"
        "        esac\n"
        "        if [[ $cur == -* ]]; then\n"
        "                local opts=\"--help $conn_opts\"\n"
        "                case $verb in\n"
        "                get) opts+=' --realm --space --output' ;;\n"
        "                create|purge) opts+=' --realm --space' ;;\n"
        "                delete) opts+=' --realm --space --filename --cascade --force' ;;\n"
        "                apply) opts+=' --filename --dry-run --output' ;;\n"
        "                version) opts+=' --client' ;;\n"
        "                '') opts+=' --version' ;;\n"
        "                esac\n"
        "                mapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
        "                return\n"
        "        fi\n"
        "        case $verb in\n"
        "        '') mapfile -t COMPREPLY < <(compgen -W \"$verbs\" -- \"$cur\") ;;\n"
        "        help) [[ -z $type ]] && mapfile -t COMPREPLY < <(compgen -W \"$verbs\" -- \"$cur\") ;;\n"
        "        autocomplete) [[ -z $type ]] && mapfile -t COMPREPLY < <(compgen -W 'bash zsh fish' -- \"$cur\") ;;\n"
        "        get|create|delete|purge)\n"
        "                if [[ -z $type ]]; then\n"
        "                        mapfile -t COMPREPLY < <(compgen -W \"$types\" -- \"$cur\")\n"
        "                elif [[ -z $name && $verb != create ]]; then\n"
        "                        mapfile -t COMPREPLY < <(compgen -W \"$(_kuke_names \"${type%s}s\" \"${parents[@]}\")\" -- \"$cur\")\n"
        "                fi ;;\n"
        "        esac\n"
        "}\n"
        "complete -F _kuke kuke\n";

static const char zsh_script[] =
        "#compdef kuke\n"
        "# zsh completion for kuke: source <(kuke autocomplete zsh), or save it as _kuke in $fpath\n"
        "_kuke_names() {\n"
        "        local -a names\n"
        "        names=(${(f)\"$(kuke $_kuke_conn --no-ask-password get \"$@\" -o names 2>/dev/null)\"})\n"
        "        compadd -a names\n"
        "}\n"
        "_kuke() {\n"
        "        local -a verbs types\n"
        "        verbs=(init get create apply delete purge version autocomplete help)\n"
        "        types=(realm realms space spaces stack stacks)\n"
        "        local i w verb= type= name= realm= space=\n"
        "        typeset -ga _kuke_conn\n"
        "        _kuke_conn=()\n"
        "        for ((i = 2; i < CURRENT; i++)); do\n"
        "                w=${words[i]}\n"
        "                case $w in\n"
        "                --realm) realm=${words[i+1]}; ((i++)) ;;\n"
        "                --realm=*) realm=${w#--realm=} ;;\n"
        "                --space) space=${words[i+1]}; ((i++)) ;;\n"
        "                --space=*) space=${w#--space=} ;;\n"
        "                -H|--host) _kuke_conn+=(--host ${words[i+1]}); ((i++)) ;;\n"
        "                --host=*|--no-daemon) _kuke_conn+=($w) ;;\n"
        "                -o|--output|-f|--filename) ((i++)) ;;\n"
        "                -*) ;;\n"
        "                *)\n"
        "                        if [[ -z $verb ]]; then verb=$w\n"
        "                        elif [[ -z $type ]]; then type=$w\n"
        "                        elif [[ -z $name ]]; then name=$w\n"
        "                        fi ;;\n"
        "                esac\n"
        "        done\n"
        "        local -a parents\n"
        "        [[ -n $realm ]] && parents+=(--realm $realm)\n"
        "        [[ -n $space ]] && parents+=(--space $space)\n"
        "        case ${words[CURRENT-1]} in\n"
        "        -o|--output) compadd yaml json; return ;;\n"
        "        -f|--filename) _files; return ;;\n"
        "        --realm) _kuke_names realms; return ;;\n"
        "        --space) _kuke_names spaces ${realm:+--realm} ${realm:+$realm}; return ;;\n"
        "        -H|--host) _hosts; return ;;\n"
        "        esac\n"
        "        if [[ ${words[CURRENT]} == -* ]]; then\n"
        "                local -a opts\n"
        "                opts=(--help --host -H --no-daemon --no-ask-password)\n"
        "                case $verb in\n"
        "                get) opts+=(--realm --space --output) ;;\n"
        "                create|purge) opts+=(--realm --space) ;;\n"
        "                delete) opts+=(--realm --space --filename --cascade --force) ;;\n"
        "                apply) opts+=(--filename --dry-run --output) ;;\n"
        "                version) opts+=(--client) ;;\n"
        "                '') opts+=(--version) ;;\n"
        "                esac\n"
        "                compadd -a opts\n"
        "                return\n"
        "        fi\n"
        "        case $verb in\n"
        "        '') compadd -a verbs ;;\n"
        "        help) [[ -z $type ]] && compadd -a verbs ;;\n"
        "        autocomplete) [[ -z $type ]] && compadd bash zsh fish ;;\n"
        "        get|create|delete|purge)\n"
        "                if [[ -z $type ]]; then\n"
        "                        compadd -a types\n"
        "                elif [[ -z $name && $verb != create ]]; then\n"
        "                        _kuke_names ${type%s}s $parents\n"
        "                fi ;;\n"
        "        esac\n"
        "}\n"
        "if [[ $funcstack[1] == _kuke ]]; then\n"
        "        _kuke \"$@\"\n"
        "else\n"
        "        compdef _kuke kuke\n"
        "fi\n";

static const char fish_script[] =
        "# fish completion for kuke: kuke autocomplete fish | source\n"
        "function __kuke_state\n"
        "        # prints: verb type name realm space, then the connection options\n"
        "        set -l t (commandline -opc)\n"
        "        set -l verb ''; set -l type ''; set -l name ''; set -l realm ''; set -l space ''; set -l conn\n"
        "        set -l i 2\n"
        "        while test $i -le (count $t)\n"
        "                set -l w $t[$i]\n"
        "                switch $w\n"
        "                case --realm\n"
        "                        set i (math $i + 1); set realm $t[$i]\n"
        "                case '--realm=*'\n"
        "                        set realm (string replace -- --realm= '' $w)\n"
        "                case --space\n"
        "                        set i (math $i + 1); set space $t[$i]\n"
        "                case '--space=*'\n"
        "                        set space (string replace -- --space= '' $w)\n"
        "                case -H --host\n"
        "                        set i (math $i + 1); set conn $conn --host $t[$i]\n"
        "                case '--host=*' --no-daemon\n"
        "                        set conn $conn $w\n"
        "                case -o --output -f --filename\n"
        "                        set i (math $i + 1)\n"
        "                case '-*'\n"
        "                case '*'\n"
        "                        if test -z \"$verb\"; set verb $w\n"
        "                        else if test -z \"$type\"; set type $w\n"
        "                        else if test -z \"$name\"; set name $w\n"
        "                        end\n"
        "                end\n"
        "                set i (math $i + 1)\n"
        "        end\n"
        "        printf '%s\\n' \"$verb\" \"$type\" \"$name\" \"$realm\" \"$space\" $conn\n"
        "end\n"
        "function __kuke_needs\n"
        "        set -l s (__kuke_state)\n"
        "        switch $argv[1]\n"
        "        case verb\n"
        "                test -z \"$s[1]\"\n"
        "        case type\n"
        "                contains -- \"$s[1]\" get create delete purge; and test -z \"$s[2]\"\n"
        "        case name\n"
        "                contains -- \"$s[1]\" get delete purge; and test -n \"$s[2]\"; and test -z \"$s[3]\"\n"
        "        case shell\n"
        "                test \"$s[1]\" = autocomplete; and test -z \"$s[2]\"\n"
        "        end\n"
        "end\n"
        "function __kuke_names\n"
        "        set -l s (__kuke_state)\n"
        "        set -l what $argv[1]\n"
        "        test -z \"$what\"; and set what (string replace -r 's$' '' -- $s[2])s\n"
        "        set -l args\n"
        "        test -n \"$s[4]\"; and set args $args --realm $s[4]\n"
        "        test -n \"$s[5]\"; and test \"$what\" = stacks; and set args $args --space $s[5]\n"
        "        kuke $s[6..-1] --no-ask-password get $what $args -o names 2>/dev/null\n"
        "end\n"
        "complete -c kuke -f\n"
        "complete -c kuke -n '__kuke_needs verb' -a 'init get create apply delete purge version autocomplete help'\n"
        "complete -c kuke -n '__kuke_needs type' -a 'realm realms space spaces stack stacks'\n"
        "complete -c kuke -n '__kuke_needs name' -a '(__kuke_names)'\n"
        "complete -c kuke -n '__kuke_needs shell' -a 'bash zsh fish'\n"
        "complete -c kuke -l realm -x -a '(__kuke_names realms)' -d 'realm of the space or stack'\n"
        "complete -c kuke -l space -x -a '(__kuke_names spaces)' -d 'space of the stack'\n"
        "complete -c kuke -s o -l output -x -a 'yaml json' -d 'output format'\n"
        "complete -c kuke -s f -l filename -r -F -d 'manifest file'\n"
        "complete -c kuke -l cascade -d 'delete the children too'\n"
        "complete -c kuke -l force -d 'continue past runtime errors'\n"
        "complete -c kuke -l dry-run -d 'validate locally, change nothing'\n"
        "complete -c kuke -s H -l host -x -d 'unix:PATH or [USER@]HOST'\n"
        "complete -c kuke -l no-daemon -d 'run kukeond for this command only'\n"
        "complete -c kuke -l no-ask-password -d 'do not ask for authorization'\n"
        "complete -c kuke -s h -l help -d 'show help'\n";

static void help(FILE *f) {
        fputs("Usage: kuke autocomplete bash|zsh|fish\n"
              "\n"
              "Prints a completion script for the shell. Names of realms, spaces and stacks are\n"
              "completed live, by asking kukeond (kuke get … -o names).\n"
              "\n"
              "  bash:  source <(kuke autocomplete bash)\n"
              "         (or save it as /usr/share/bash-completion/completions/kuke)\n"
              "  zsh:   source <(kuke autocomplete zsh)\n"
              "         (or save it as _kuke in a directory of $fpath)\n"
              "  fish:  kuke autocomplete fish | source\n"
              "         (or save it as ~/.config/fish/completions/kuke.fish)\n"
              "\n"
              "Options:\n"
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke autocomplete --help')");
                }
        if (optind >= argc)
                return error("no shell given: kuke autocomplete bash|zsh|fish");
        if (optind + 1 < argc)
                return error("unexpected argument \"%s\"", argv[optind + 1]);

        const char *shell = argv[optind];
        if (streq(shell, "bash"))
                fputs(bash_script, stdout);
        else if (streq(shell, "zsh"))
                fputs(zsh_script, stdout);
        else if (streq(shell, "fish"))
                fputs(fish_script, stdout);
        else
                return error("unknown shell \"%s\" (expected bash, zsh or fish)", shell);
        return 0;
}

const Verb verb_autocomplete = {
        .name = "autocomplete",
        .summary = "print a shell completion script (bash, zsh, fish)",
        .run = run,
        .help = help,
};
