//go:build !amd64 || purego

package seal

var useAsm = false

func mulAsm(z, x, y *fe) { panic("unreachable") }
func sqrAsm(z, x *fe)    { panic("unreachable") }
func subAsm(z, x, y *fe) { panic("unreachable") }
