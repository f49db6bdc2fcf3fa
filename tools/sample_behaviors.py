"""Behaviors for the synthetic code-search sample (tools/make_sample.py): numbers, strings and collections.

A behavior is one thing a function does, written several ways. Placeholders (string.Template): `$f` the function
name, `$a0 $a1 ...` the arguments, `$v0 $v1 ...` locals, `$p` a parameter whose prose form `$pd` goes in the
docstring (literals survive AdvTest's renaming, so they keep normalized functions of one behavior apart), `$$` a
literal dollar sign. Name pools are space-separated; argument and local pools are `|`-separated, one per slot.
Hints are `T0; T1 -> R`. Docstrings stay verbatim in the normalized `code` (as in AdvTest), so they avoid argument
names (generic n and k aside).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Behavior:
    key: str
    module: str  # file name in the fake repository
    names: tuple[str, ...]
    args: tuple[tuple[str, ...], ...]
    docs: tuple[str, ...]
    bodies: tuple[str, ...]
    locals: tuple[tuple[str, ...], ...]
    hints: tuple[tuple[str, ...], str] | None
    params: tuple[tuple[str, str], ...]


def _pools(spec: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(pool.split()) for pool in spec.split("|")) if spec else ()


def B(key: str, module: str, names: str, args: str, docs: list[str], bodies: list[str], local: str = "",
      hints: str = "", params: tuple[tuple[str, str], ...] = ()) -> Behavior:
    parsed_hints = None
    if hints:
        left, ret = hints.split("->")
        parsed_hints = (tuple(h.strip() for h in left.split(";")), ret.strip())
    return Behavior(key, module, tuple(names.split()), _pools(args), tuple(docs), tuple(bodies), _pools(local),
                    parsed_hints, params)


NUM = "mathutils.py"
NUMBERS = [
    B("sum_list", NUM, "sum_list total_of add_all sum_values compute_total", "numbers values nums amounts",
      ["Return the sum of a list of numbers.", "Add up all the values in a list.", "Compute the total of the given numbers.",
       "Sum every element of a sequence of numbers.", "Calculate the sum of the numbers in a list."],
      ["return sum($a0)", "$v0 = 0\nfor $v1 in $a0:\n    $v0 += $v1\nreturn $v0",
       "$v0 = 0\nfor $v2 in range(len($a0)):\n    $v0 = $v0 + $a0[$v2]\nreturn $v0"],
      "total acc result running | x value item n | i idx k", "list[float] -> float"),
    B("mean", NUM, "mean average compute_mean mean_value avg", "numbers values samples scores data",
      ["Return the arithmetic mean of a list of numbers.", "Compute the average of the given values.",
       "Calculate the mean value of a sequence, or 0.0 when it is empty.", "Average a list of numbers."],
      ["if not $a0:\n    return 0.0\nreturn sum($a0) / len($a0)",
       "$v0 = 0.0\n$v1 = 0\nfor $v2 in $a0:\n    $v0 += $v2\n    $v1 += 1\nreturn $v0 / $v1 if $v1 else 0.0",
       "return statistics.mean($a0) if $a0 else 0.0"],
      "total acc s | count n size | x value v", "list[float] -> float"),
    B("max_value", NUM, "max_value largest find_max biggest top_value", "numbers values items scores",
      ["Return the largest number in a list.", "Find the maximum value of a sequence.",
       "Get the biggest element of the given list.", "Return the maximum of the values."],
      ["return max($a0)", "$v0 = $a0[0]\nfor $v1 in $a0[1:]:\n    if $v1 > $v0:\n        $v0 = $v1\nreturn $v0",
       "return sorted($a0)[-1]"],
      "best current result | x value item candidate", "list[float] -> float"),
    B("min_value", NUM, "min_value smallest find_min lowest bottom_value", "numbers values items scores",
      ["Return the smallest number in a list.", "Find the minimum value of a sequence.",
       "Get the lowest element of the given list.", "Return the minimum of the values."],
      ["return min($a0)", "$v0 = $a0[0]\nfor $v1 in $a0[1:]:\n    if $v1 < $v0:\n        $v0 = $v1\nreturn $v0",
       "return sorted($a0)[0]"],
      "best current result | x value item candidate", "list[float] -> float"),
    B("factorial", NUM, "factorial fact compute_factorial factorial_of", "n num k count",
      ["Return the factorial of n.", "Compute n factorial.", "Calculate the product of all integers from 1 to n.",
       "Return n! for a non-negative integer."],
      ["if $a0 <= 1:\n    return 1\nreturn $a0 * $f($a0 - 1)", "$v0 = 1\nfor $v1 in range(2, $a0 + 1):\n    $v0 *= $v1\nreturn $v0",
       "return math.factorial($a0)"],
      "result acc product | i k factor", "int -> int"),
    B("fibonacci", NUM, "fibonacci fib nth_fibonacci fib_number", "n index position",
      ["Return the n-th Fibonacci number.", "Compute the Fibonacci number at the given position.",
       "Calculate Fibonacci of n iteratively.", "Get the nth term of the Fibonacci sequence."],
      ["$v0, $v1 = 0, 1\nfor _ in range($a0):\n    $v0, $v1 = $v1, $v0 + $v1\nreturn $v0",
       "if $a0 < 2:\n    return $a0\nreturn $f($a0 - 1) + $f($a0 - 2)"],
      "a prev previous | b curr current", "int -> int"),
    B("is_prime", NUM, "is_prime check_prime prime primality", "n number value candidate",
      ["Check whether a number is prime.", "Return True if n is a prime number.", "Test a number for primality.",
       "Determine if the given integer is prime."],
      ["if $a0 < 2:\n    return False\nfor $v0 in range(2, int($a0 ** 0.5) + 1):\n    if $a0 % $v0 == 0:\n"
       "        return False\nreturn True",
       "if $a0 < 2:\n    return False\nreturn all($a0 % $v0 for $v0 in range(2, int(math.sqrt($a0)) + 1))",
       "$v0 = 2\nwhile $v0 * $v0 <= $a0:\n    if $a0 % $v0 == 0:\n        return False\n    $v0 += 1\nreturn $a0 > 1"],
      "i d divisor factor", "int -> bool"),
    B("gcd", NUM, "gcd greatest_common_divisor common_divisor hcf", "a x first m | b y second other",
      ["Return the greatest common divisor of two integers.", "Compute the GCD of two integers with Euclid's algorithm.",
       "Find the largest number that divides both values.", "Calculate the highest common factor of two numbers."],
      ["while $a1:\n    $a0, $a1 = $a1, $a0 % $a1\nreturn abs($a0)", "return math.gcd($a0, $a1)",
       "if $a1 == 0:\n    return $a0\nreturn $f($a1, $a0 % $a1)"],
      "", "int; int -> int"),
    B("is_divisible", NUM, "is_divisible divisible_by check_divisible is_multiple", "n number value",
      ["Check whether a number is divisible by $pd.", "Return True if the value is a multiple of $pd.",
       "Test if n can be divided by $pd without remainder."],
      ["return $a0 % $p == 0", "return not $a0 % $p", "if $a0 % $p:\n    return False\nreturn True"],
      "", "int -> bool", (("2", "two"), ("3", "three"), ("5", "five"), ("7", "seven"), ("10", "ten"))),
    B("clamp", NUM, "clamp clip_value bound limit_value", "value x n | low lower lo floor_value | high upper hi ceiling",
      ["Clamp a value to an inclusive range.", "Restrict a number to lie within the given bounds.",
       "Limit the value so it is not below the lower bound or above the upper bound.", "Clip a number into an interval."],
      ["return max($a1, min($a0, $a2))", "if $a0 < $a1:\n    return $a1\nif $a0 > $a2:\n    return $a2\nreturn $a0",
       "return sorted(($a1, $a0, $a2))[1]"],
      "", "float; float; float -> float"),
    B("powers", NUM, "raise_all powers_of to_power power_list", "numbers values xs",
      ["Return the $pd of a list of numbers.", "Compute the $pd of every value in the list.",
       "Build a list with the $pd of the given values."],
      ["return [$v0 ** $p for $v0 in $a0]", "$v1 = []\nfor $v0 in $a0:\n    $v1.append($v0 ** $p)\nreturn $v1",
       "return list(map(lambda $v0: $v0 ** $p, $a0))"],
      "x value n | result out powers", "list[float] -> list[float]",
      (("2", "squares"), ("3", "cubes"), ("4", "fourth powers"))),
    B("count_above", NUM, "count_above count_greater num_above count_over", "numbers values scores",
      ["Count how many numbers are greater than $pd.", "Return the number of values above $pd.",
       "Count the elements that exceed $pd."],
      ["return sum(1 for $v0 in $a0 if $v0 > $p)", "$v1 = 0\nfor $v0 in $a0:\n    if $v0 > $p:\n        $v1 += 1\nreturn $v1",
       "return len([$v0 for $v0 in $a0 if $v0 > $p])"],
      "x value n | count total hits", "list[float] -> int",
      (("0", "zero"), ("10", "ten"), ("50", "fifty"), ("100", "one hundred"))),
    B("c_to_f", NUM, "celsius_to_fahrenheit c_to_f to_fahrenheit", "celsius degrees temp value",
      ["Convert a temperature from Celsius to Fahrenheit.", "Return the Fahrenheit equivalent of a Celsius temperature.",
       "Translate degrees Celsius into degrees Fahrenheit."],
      ["return $a0 * 9 / 5 + 32", "return ($a0 * 1.8) + 32.0"], "", "float -> float"),
    B("f_to_c", NUM, "fahrenheit_to_celsius f_to_c to_celsius", "fahrenheit degrees temp value",
      ["Convert a temperature from Fahrenheit to Celsius.", "Return the Celsius equivalent of a Fahrenheit temperature.",
       "Translate degrees Fahrenheit into degrees Celsius."],
      ["return ($a0 - 32) * 5 / 9", "return ($a0 - 32.0) / 1.8"], "", "float -> float"),
    B("round_all", NUM, "round_all round_values round_list", "numbers values xs",
      ["Round every number in a list to $pd.", "Return the values rounded to $pd.", "Round each element of the sequence to $pd."],
      ["return [round($v0, $p) for $v0 in $a0]", "return list(map(lambda $v0: round($v0, $p), $a0))"],
      "x value n", "list[float] -> list[float]",
      (("1", "one decimal place"), ("2", "two decimal places"), ("3", "three decimal places"))),
    B("product", NUM, "product multiply_all prod_of product_of", "numbers values factors",
      ["Return the product of all numbers in a list.", "Multiply the values of a sequence together.",
       "Compute the product of the given numbers."],
      ["$v0 = 1\nfor $v1 in $a0:\n    $v0 *= $v1\nreturn $v0", "return math.prod($a0)",
       "return functools.reduce(operator.mul, $a0, 1)"],
      "result acc total | x value n", "list[float] -> float"),
]

TXT = "textutils.py"
STRINGS = [
    B("is_palindrome", TXT, "is_palindrome check_palindrome palindrome reads_same", "text s word string",
      ["Check whether a string is a palindrome.", "Return True if the text reads the same forwards and backwards.",
       "Test if a word is a palindrome.", "Determine whether the string equals its reverse."],
      ["return $a0 == $a0[::-1]", "$v0 = $a0.lower()\nreturn $v0 == $v0[::-1]",
       "$v1, $v2 = 0, len($a0) - 1\nwhile $v1 < $v2:\n    if $a0[$v1] != $a0[$v2]:\n        return False\n"
       "    $v1 += 1\n    $v2 -= 1\nreturn True"],
      "cleaned lowered folded | i left lo | j right hi", "str -> bool"),
    B("reverse_string", TXT, "reverse_string reversed_text flip_string backwards", "text s string value",
      ["Return the string reversed.", "Reverse the characters of a string.", "Produce the text backwards.",
       "Return a copy of the string in reverse order."],
      ["return $a0[::-1]", "return ''.join(reversed($a0))", "$v0 = ''\nfor $v1 in $a0:\n    $v0 = $v1 + $v0\nreturn $v0"],
      "result out acc | ch c char", "str -> str"),
    B("count_vowels", TXT, "count_vowels vowel_count num_vowels vowels_in", "text s word string",
      ["Count the vowels in a string.", "Return the number of vowels in the text.",
       "Count how many characters of the word are vowels."],
      ["return sum(1 for $v0 in $a0.lower() if $v0 in 'aeiou')",
       "$v1 = 0\nfor $v0 in $a0:\n    if $v0.lower() in 'aeiou':\n        $v1 += 1\nreturn $v1",
       "return len(re.findall('[aeiou]', $a0, re.IGNORECASE))"],
      "ch c char letter | count total n", "str -> int"),
    B("word_count", TXT, "word_count count_words num_words words_in", "text s sentence line",
      ["Count the words in a string.", "Return the number of whitespace-separated words in the text.",
       "Count how many words a sentence has."],
      ["return len($a0.split())", "$v0 = 0\nfor $v1 in $a0.split():\n    $v0 += 1\nreturn $v0",
       "return len(re.findall(r'\\S+', $a0))"],
      "count n total | w word token", "str -> int"),
    B("title_case", TXT, "capitalize_words title_case to_title capitalize_all", "text s sentence heading",
      ["Capitalize the first letter of every word.", "Convert the text to title case.",
       "Return the sentence with each word capitalized."],
      ["return ' '.join($v0.capitalize() for $v0 in $a0.split())", "return $a0.title()",
       "$v1 = []\nfor $v0 in $a0.split(' '):\n    $v1.append($v0[:1].upper() + $v0[1:])\nreturn ' '.join($v1)"],
      "w word part | words parts out", "str -> str"),
    B("squeeze_spaces", TXT, "normalize_whitespace collapse_spaces squeeze_spaces clean_spaces", "text s line raw",
      ["Collapse runs of whitespace into single spaces.", "Strip the text and replace repeated whitespace with one space.",
       "Normalize the spacing of a string."],
      ["return ' '.join($a0.split())", "return re.sub(r'\\s+', ' ', $a0).strip()"], "", "str -> str"),
    B("split_fields", TXT, "split_fields parse_line split_line fields_of", "line row text record",
      ["Split a line on $pd and strip each field.", "Break a record into fields separated by $pd.",
       "Return the stripped fields of a line delimited by $pd."],
      ["return [$v0.strip() for $v0 in $a0.split($p)]",
       "$v1 = []\nfor $v0 in $a0.rstrip('\\n').split($p):\n    $v1.append($v0.strip())\nreturn $v1"],
      "field part value | fields parts out", "str -> list[str]",
      (("','", "commas"), ("';'", "semicolons"), ("'\\t'", "tabs"), ("'|'", "pipe characters"))),
    B("join_strings", TXT, "join_strings join_items concat_with join_values", "items parts strings values",
      ["Join the strings with $pd.", "Concatenate the items into one string separated by $pd.",
       "Return the values joined by $pd."],
      ["return $p.join($a0)", "return $p.join(str($v0) for $v0 in $a0)",
       "$v1 = ''\nfor $v2, $v0 in enumerate($a0):\n    if $v2:\n        $v1 += $p\n    $v1 += $v0\nreturn $v1"],
      "x item part | out result text | i index n", "list[str] -> str",
      (("', '", "commas"), ("'\\n'", "newlines"), ("' '", "spaces"), ("'-'", "hyphens"))),
    B("with_prefix", TXT, "filter_prefix with_prefix starting_with select_prefixed", "words strings names items | prefix start head",
      ["Return the strings that start with the given prefix.", "Keep only the words beginning with a prefix.",
       "Filter a list of names by their prefix."],
      ["return [$v0 for $v0 in $a0 if $v0.startswith($a1)]", "return list(filter(lambda $v0: $v0.startswith($a1), $a0))",
       "$v1 = []\nfor $v0 in $a0:\n    if $v0[:len($a1)] == $a1:\n        $v1.append($v0)\nreturn $v1"],
      "w s name word | result out matches", "list[str]; str -> list[str]"),
    B("long_words", TXT, "long_words words_longer_than filter_long longer_words", "words tokens items",
      ["Return the words longer than $pd characters.", "Keep only the words with more than $pd letters.",
       "Filter out words of $pd characters or fewer."],
      ["return [$v0 for $v0 in $a0 if len($v0) > $p]",
       "$v1 = []\nfor $v0 in $a0:\n    if len($v0) > $p:\n        $v1.append($v0)\nreturn $v1"],
      "w word token | result out kept", "list[str] -> list[str]",
      (("3", "three"), ("4", "four"), ("5", "five"), ("8", "eight"))),
    B("char_frequency", TXT, "char_frequency count_chars letter_counts char_histogram", "text s string data",
      ["Count how often each character occurs in a string.",
       "Return a dict mapping every character to its number of occurrences.",
       "Build a character frequency table for the text."],
      ["return dict(collections.Counter($a0))", "$v0 = {}\nfor $v1 in $a0:\n    $v0[$v1] = $v0.get($v1, 0) + 1\nreturn $v0",
       "$v0 = collections.defaultdict(int)\nfor $v1 in $a0:\n    $v0[$v1] += 1\nreturn dict($v0)"],
      "counts freq table | ch c char", "str -> dict[str, int]"),
    B("word_counts", TXT, "word_counts word_frequencies count_each_word tally_words", "text document s",
      ["Count how many times each word appears in a text.", "Return a dict of word frequencies, ignoring case.",
       "Build a table of word counts for a document."],
      ["return dict(collections.Counter($a0.lower().split()))",
       "$v0 = {}\nfor $v1 in $a0.lower().split():\n    $v0[$v1] = $v0.get($v1, 0) + 1\nreturn $v0"],
      "counts freq table | w word token", "str -> dict[str, int]"),
    B("is_anagram", TXT, "is_anagram are_anagrams anagrams check_anagram", "first a word1 s1 | second b word2 s2",
      ["Check whether two words are anagrams of each other.",
       "Return True if the strings contain the same letters in a different order.",
       "Test if one string is an anagram of another."],
      ["return sorted($a0) == sorted($a1)", "return collections.Counter($a0.lower()) == collections.Counter($a1.lower())"],
      "", "str; str -> bool"),
    B("snake_to_camel", TXT, "snake_to_camel to_camel_case camelize camel_case", "name text identifier s",
      ["Convert a snake case name to camel case.", "Turn an underscore separated identifier into camel case.",
       "Return the camel case form of a snake case string."],
      ["$v0 = $a0.split('_')\nreturn $v0[0] + ''.join($v1.title() for $v1 in $v0[1:])",
       "return re.sub(r'_([a-z])', lambda $v2: $v2.group(1).upper(), $a0)"],
      "parts words pieces | p w part | m match", "str -> str"),
    B("truncate", TXT, "truncate shorten clip_text ellipsize", "text s message | limit max_len width n",
      ["Truncate a string to a maximum length, adding an ellipsis.",
       "Shorten the text to at most the given number of characters.", "Cut a long message down to size and append '...'."],
      ["if len($a0) <= $a1:\n    return $a0\nreturn $a0[:$a1 - 3] + '...'",
       "return $a0 if len($a0) <= $a1 else $a0[:max(0, $a1 - 3)] + '...'"],
      "", "str; int -> str"),
    B("slugify", TXT, "slugify make_slug to_slug url_slug", "title text name",
      ["Turn a title into a URL-friendly slug.", "Lowercase the text and replace non-alphanumeric runs with hyphens.",
       "Make a slug from a string for use in links."],
      ["$v0 = re.sub(r'[^a-z0-9]+', '-', $a0.lower())\nreturn $v0.strip('-')",
       "return '-'.join(re.findall(r'[a-z0-9]+', $a0.lower()))"],
      "slug s result", "str -> str"),
]
