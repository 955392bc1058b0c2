//go:build !amd64 || purego

package seal

var useAsm = false

func mulAsm(z, x, y *fe) { panic("unreachable") }
func subAsm(z, x, y *fe) { panic("unreachable") }

var useIFMA = false

func madd8(acc *[15][8]uint64, q *[10][8]uint64, s *[11 * 5][8]uint64, mask uint8) {
	panic("unreachable")
}
func neg8(y *[5][8]uint64, mask uint8) { panic("unreachable") }
