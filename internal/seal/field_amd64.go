//go:build !purego

package seal

import "golang.org/x/sys/cpu"

// useAsm says mul, sqr and sub run mulAsm and subAsm (MULX, ADCX, ADOX), about
// three times faster here than the portable code.
var useAsm = cpu.X86.HasBMI2 && cpu.X86.HasADX

//go:noescape
func mulAsm(z, x, y *fe)

//go:noescape
func subAsm(z, x, y *fe)
