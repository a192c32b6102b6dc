package gs1

import "strings"

// The code lists below are the ones the GS1 Barcode Syntax Dictionary's reference linters
// (github.com/gs1/gs1-syntax-dictionary, src/lint_iso3166.c, lint_iso3166alpha2.c and
// lint_iso4217.c as of 2025) check against, decoded from their bitmaps: ISO 3166-1 num-3 and
// alpha-2 country codes (249 each, ISO 3166-1:2020 with amendments to 2024) and ISO 4217
// three-digit currency codes (the SIX list of 2025, without the withdrawn 931 CUC). Keeping the
// same lists as the linters means this package and an engine built on the Syntax Dictionary
// accept the same data. Each list is one constant string of fixed-width codes each followed by
// a space, so a lookup is a substring search that can only match on a code boundary.

// iso3166Numeric are the ISO 3166-1 num-3 country codes.
const iso3166Numeric = "004 008 010 012 016 020 024 028 031 032 036 040 044 048 050 051 052 056 060 064 068 070 " +
	"072 074 076 084 086 090 092 096 100 104 108 112 116 120 124 132 136 140 144 148 152 156 " +
	"158 162 166 170 174 175 178 180 184 188 191 192 196 203 204 208 212 214 218 222 226 231 " +
	"232 233 234 238 239 242 246 248 250 254 258 260 262 266 268 270 275 276 288 292 296 300 " +
	"304 308 312 316 320 324 328 332 334 336 340 344 348 352 356 360 364 368 372 376 380 384 " +
	"388 392 398 400 404 408 410 414 417 418 422 426 428 430 434 438 440 442 446 450 454 458 " +
	"462 466 470 474 478 480 484 492 496 498 499 500 504 508 512 516 520 524 528 531 533 534 " +
	"535 540 548 554 558 562 566 570 574 578 580 581 583 584 585 586 591 598 600 604 608 612 " +
	"616 620 624 626 630 634 638 642 643 646 652 654 659 660 662 663 666 670 674 678 682 686 " +
	"688 690 694 702 703 704 705 706 710 716 724 728 729 732 740 744 748 752 756 760 762 764 " +
	"768 772 776 780 784 788 792 795 796 798 800 804 807 818 826 831 832 833 834 840 850 854 " +
	"858 860 862 876 882 887 894 "

// iso3166Alpha2 are the ISO 3166-1 alpha-2 country codes.
const iso3166Alpha2 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ " +
	"BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
	"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS " +
	"GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ " +
	"MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV " +
	"SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
	"VN VU WF WS YE YT ZA ZM ZW "

// iso4217Numeric are the ISO 4217 three-digit currency codes, funds and precious metals included
// (9xx), as AIs 391n and 393n may carry any of them.
const iso4217Numeric = "008 012 032 036 044 048 050 051 052 060 064 068 072 084 090 096 104 108 116 124 132 136 " +
	"144 152 156 170 174 188 191 192 203 208 214 222 230 232 238 242 262 270 292 320 324 328 " +
	"332 340 344 348 352 356 360 364 368 376 388 392 398 400 404 408 410 414 417 418 422 426 " +
	"430 434 446 454 458 462 480 484 496 498 504 512 516 524 532 533 548 554 558 566 578 586 " +
	"590 598 600 604 608 634 643 646 654 682 690 694 702 704 706 710 728 748 752 756 760 764 " +
	"776 780 784 788 800 807 818 826 834 840 858 860 882 886 901 924 925 927 928 929 930 932 " +
	"933 934 936 938 940 941 943 944 946 947 948 949 950 951 952 953 955 956 957 958 959 960 " +
	"961 962 963 964 965 967 968 969 970 971 972 973 975 976 977 978 979 980 981 984 985 986 " +
	"990 994 997 999 "

// inCodeList reports whether code, of exactly width characters, is one of list's entries.
func inCodeList(list, code string, width int) bool {
	if len(code) != width || strings.IndexByte(code, ' ') >= 0 {
		return false
	}
	return strings.Contains(list, code+" ")
}

// IsCountryCode reports whether s is an ISO 3166-1 num-3 country code.
func IsCountryCode(s string) bool { return inCodeList(iso3166Numeric, s, 3) }

// IsCountryAlpha2 reports whether s is an ISO 3166-1 alpha-2 country code.
func IsCountryAlpha2(s string) bool { return inCodeList(iso3166Alpha2, s, 2) }

// IsCurrencyCode reports whether s is an ISO 4217 three-digit currency code.
func IsCurrencyCode(s string) bool { return inCodeList(iso4217Numeric, s, 3) }
